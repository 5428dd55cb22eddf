// dist/spend-band-statusline.js: `spend-band statusline` as a file of its own, the command Claude Code's
// statusLine runs after every message (see fastEntry.ts for why). Takes the flags of `statusline`.
import { startFastEntry } from './fastEntry';
import { statuslineCommand } from './statuslineCommand';

startFastEntry('statusline', [], statuslineCommand);
