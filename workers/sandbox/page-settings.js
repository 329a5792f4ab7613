// Part of the sandbox iframe's script (see sandbox-document.ts), run first: the page's settings
// from the URL fragment, `#parent=<origin>&threads=N` (sandboxFragment in sandbox-protocol.ts).
// The document is one static file for every page, so what differs per page comes here, and
// anyone may frame it with any fragment: both values are checked, and a frame with a bad fragment
// says so and stops (the throw ends the script before anything listens or starts a worker).

/** An http(s) origin exactly as `URL.origin` writes it, e.g. "https://farm.example.org:8443". */
function isHttpOrigin(text) {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
  } catch {
    return false;
  }
}

function readPageSettings() {
  const params = new URLSearchParams(location.hash.slice(1));
  const parentOrigin = params.get('parent') ?? '';
  const threadsText = params.get('threads') ?? '';
  const threads = Number(threadsText);
  const maxThreads = CONFIG.maxThreads;
  let problem = null;
  if (!isHttpOrigin(parentOrigin)) problem = 'parent must be the http(s) origin of the page';
  else if (!/^[0-9]{1,4}$/.test(threadsText) || threads < 1 || threads > maxThreads) {
    problem = `threads must be a whole number from 1 to ${maxThreads}`;
  }
  if (problem !== null) {
    const message = `the sandbox's URL fragment is not valid: ${problem}`;
    parent.postMessage({ type: CONFIG.messages.failed, message }, '*');
    throw new Error(message);
  }
  return { parentOrigin, threads };
}

const PAGE = readPageSettings();
