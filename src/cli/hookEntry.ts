// dist/spend-band-hook.js: `spend-band hook claude` as a file of its own, the command Claude Code's
// PreToolUse / UserPromptSubmit hook runs (see fastEntry.ts for why). Takes the flags of `hook claude`.
import { startFastEntry } from './fastEntry';
import { hookCommand } from './hookCommand';

startFastEntry('hook', ['claude'], hookCommand);
