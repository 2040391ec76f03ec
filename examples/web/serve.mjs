// Serves the demo page. The page is on its own origin (the SuperTokens websiteDomain), so it
// talks to the backends across origins, as a real frontend does.
// BACKENDS="Python=http://localhost:3001,Node=http://localhost:3002" lists the backends it offers.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";

const root = import.meta.dirname;
const port = Number(process.env.PORT ?? 3000);
const backends = (process.env.BACKENDS ?? "Python (FastAPI)=http://localhost:3001,Node (Express)=http://localhost:3002,Go (net/http)=http://localhost:3003")
  .split(",")
  .filter(Boolean)
  .map((entry) => {
    const [name, url] = entry.split("=");
    return { name, url };
  });
const files = { "/": "index.html", "/index.html": "index.html", "/dist/app.js": "dist/app.js" };
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8" };

createServer(async (req, res) => {
  const path = new URL(req.url, "http://localhost").pathname;
  if (path === "/backends.json") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(backends));
    return;
  }
  const file = files[path];
  if (!file) {
    res.writeHead(404).end("not found");
    return;
  }
  try {
    const body = await readFile(join(root, file));
    res.writeHead(200, { "content-type": types[extname(file)], "cache-control": "no-store" }).end(body);
  } catch {
    res.writeHead(500).end(`${file} is missing: run npm run build`);
  }
}).listen(port, process.env.HOST ?? "localhost", () => console.log(`web: the demo page is on http://localhost:${port}`));
