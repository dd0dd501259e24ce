// Preloaded (NODE_OPTIONS=--import) into the processes of the soak's own stack:
// V8 reports each collection on stdout, so the soak can read the gateway's live
// heap from its log. `--trace-gc` itself is not allowed in NODE_OPTIONS.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--trace-gc');
