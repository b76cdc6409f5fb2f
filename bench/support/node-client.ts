import WebSocket from 'ws';

/** POST to a node's HTTP API; throws on anything but 2xx. */
export async function post(port: number, path: string, body: unknown): Promise<any> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** A raw /ws client of a node, authenticated; every frame goes to `onFrame`. */
export async function socket(port: number, token: string, onFrame: (frame: any) => void): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await new Promise<void>((resolve) => {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'auth.ok') resolve();
      onFrame(frame);
    });
    ws.send(JSON.stringify({ type: 'auth', token }));
  });
  return ws;
}
