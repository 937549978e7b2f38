/**
 * Entry point of the web page: starts the simulation worker (inlined in the bundle, so the
 * page also works from file:// and offline) and the app. `window.wiretrail` is a small probe
 * for the end-to-end tests and the benchmark.
 */
import './style.css';
import SimWorker from './worker.ts?worker&inline';
import { App } from './app.js';

const root = document.getElementById('app');
if (root === null) throw new Error('#app missing');
const app = new App(root, new SimWorker({ name: 'wiretrail-sim' }));
(window as unknown as { wiretrail: unknown }).wiretrail = Object.assign(app.probe, {
  app,
  useYaml: (text: string) => app.useYaml(text),
});
