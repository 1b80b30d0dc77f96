import type { IncomingMessage, ServerResponse } from 'node:http';
import { PEER_HEADER } from './check';

/**
 * In front of everything (the answer front included): the connection's peer address in
 * PEER_HEADER, replacing whatever a client sent, for proxy mode's trusted_proxies. The answer
 * front keys shared answers by it too, so a trusted proxy's answer never goes to another peer.
 */
export function withPeer<H extends (req: IncomingMessage, res: ServerResponse) => unknown>(handle: H): (req: IncomingMessage, res: ServerResponse) => unknown {
  return (req, res) => {
    req.headers[PEER_HEADER] = req.socket.remoteAddress ?? '';
    return handle(req, res);
  };
}
