// The Web Worker that trains the live demo's model, so that the page stays responsive.
import { DemoEngine } from './engine';
import type { ToEngine } from './protocol';

const engine = new DemoEngine((message) => self.postMessage(message));
self.addEventListener('message', (event: MessageEvent<ToEngine>) => engine.handle(event.data));
