// Absolute paths of the repository the drivers work on, independent of the caller's cwd.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const distCli = join(repoRoot, 'dist', 'cli.js');
export const integrationTestsDir = join(repoRoot, 'out', 'test', 'integration');
export const screenshotsDir = join(repoRoot, 'media', 'screenshots');
export const failureScreenshot = join(repoRoot, '.vscode-test', 'failure.png');
export const workspaceFixture = join(repoRoot, 'test', 'fixtures', 'workspace');
