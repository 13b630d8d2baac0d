// The Web Worker that trains the live demo's model, so that the page stays responsive.
import { setUpBackends } from './backends';
import { DemoEngine } from './engine';
import type { ToEngine } from './protocol';

const threadsNote = setUpBackends();
const engine = new DemoEngine((message, transfer) => self.postMessage(message, { transfer }), { threadsNote });
self.addEventListener('message', (event: MessageEvent<ToEngine>) => engine.handle(event.data));
