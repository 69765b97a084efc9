// The reference broadcaster most people would write: an npm `ws` server
// that sends each text message to every other open client, unchanged.
// bench/run.mjs measures it with the same loadgen as Raati (issue 7).
//
//   node bench/ref_ws.mjs --port N [--host 127.0.0.1]
//
// Prints `listening N` once it accepts connections.
import { WebSocketServer, WebSocket } from 'ws';

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const port = Number(arg('--port', '0'));
const host = arg('--host', '127.0.0.1');
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  process.stderr.write('usage: node bench/ref_ws.mjs --port N [--host 127.0.0.1]\n');
  process.exit(2);
}

// No per-message deflate: Raati and ref_epoll send plain frames too.
const wss = new WebSocketServer({ host, port, perMessageDeflate: false, clientTracking: true });

wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    for (const client of wss.clients) {
      if (client !== ws && client.readyState === WebSocket.OPEN) client.send(data, { binary: false });
    }
  });
  ws.on('error', () => {});
});

wss.on('listening', () => process.stdout.write(`listening ${wss.address().port}\n`));
wss.on('error', (err) => {
  process.stderr.write(`ref_ws: ${err.message}\n`);
  process.exit(1);
});

for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
