// Worker thread bootstrap: Node 20 does not pass --import loaders to workers, so the TypeScript
// loader is registered here before the parser (TypeScript) is loaded.
import { register } from 'tsx/esm/api';

register();
await import('./parse-worker.ts');
