// `--workflow` of preflight and run, checked against the classes that exist for this developer.
import { EXIT } from '../domain/exitCodes';
import { KNOWN_WORKFLOWS, type BandsDocument } from '../domain/schemas';
import { closest } from './args';
import { CliError } from './cliError';

/**
 * A class the endpoint cannot know is a typo, not a run "no band covers": the known classes and the
 * classes of the bands are accepted (classes are an open set: an org may name its own in its bands).
 */
export function checkWorkflow(workflow: string, document: BandsDocument): void {
  const classes = [
    ...new Set<string>([...KNOWN_WORKFLOWS, ...document.bands.map((b) => b.workflow).filter((w) => w !== 'all')]),
  ];
  if (classes.includes(workflow)) return;
  const near = closest(workflow, classes);
  throw new CliError(
    `--workflow ${workflow} is not a workflow class.${near ? ` Did you mean ${near}?` : ''} Use one of: ${classes.join(', ')}.`,
    EXIT.usage,
  );
}
