import { createServer } from 'node:http';

/** A local HTTP server answering each POST with `respond(path, body, attempt)` -> [status, json]; records the requests. */
export async function stubService(respond) {
  const requests = [];
  const hanging = new Set();
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw);
    requests.push({ path: req.url, key: req.headers['x-api-key'], body });
    const answer = await respond(req.url, body, requests.length, { hang: () => new Promise((resolve) => hanging.add(resolve)) });
    res.writeHead(answer[0], { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(answer[1]));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    async close() {
      for (const resolve of hanging) resolve();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
