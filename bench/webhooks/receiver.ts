/**
 * The webhook receiver of bench/webhooks/run.ts, in a process of its own as a real receiver would
 * be (not in the load generator's event loop): answers every POST 200 and counts them; `GET /count`
 * tells the count. Prints its port on stdout.
 */
import http from 'node:http';

let received = 0;
const server = http.createServer((request, response) => {
  if (request.method === 'GET') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end(String(received));
    return;
  }
  request.resume();
  request.on('end', () => {
    received += 1;
    response.writeHead(200).end();
  });
});
server.listen(0, '127.0.0.1', () => console.log(String((server.address() as { port: number }).port)));
process.on('disconnect', () => process.exit(0));
