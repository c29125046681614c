#!/usr/bin/env python3
"""A RightSignature-style OAuth 2.0 provider for tests (python3 standard library only).

    scripts/provider_double.py PORT [--expires-in 30] [--client-secret S] [--log FILE]
                               [--semantics strict|doorkeeper]

Listens on 127.0.0.1:PORT and speaks the dialect of the broker's `preset: rightsignature`
(point a provider at it with `token-url: http://127.0.0.1:PORT/oauth/token` and
`authorize-url: http://127.0.0.1:PORT/oauth/authorize`):

  GET  /oauth/authorize?response_type=code&client_id=&redirect_uri=&scope=&state=
       [&code_challenge=&code_challenge_method=S256]
       approves at once: 302 to redirect_uri?code=...&state=... (codes live 60 s, single use)
  POST /oauth/token   form-urlencoded or multipart/form-data (also chunked), client credentials
       in the body or as HTTP Basic; grant_type authorization_code (code, redirect_uri,
       code_verifier when the authorize request had a challenge) or refresh_token.
       Answers {"access_token","token_type":"bearer","expires_in","refresh_token","scope",
       "created_at"}; errors are OAuth2 JSON with 400 (401 for invalid_client).
       Refresh tokens ROTATE: each refresh issues a new pair. What the old refresh token does
       then depends on --semantics:
         strict (default)  the old one is dead. Presenting a refresh token that was already used
                           counts as a reuse (RFC 9700): the whole grant is revoked (every access
                           and refresh token it issued) and the answer is 400 invalid_grant.
         doorkeeper        RightSignature's server (Doorkeeper with refresh_token_revoked_on_use):
                           the old one stays valid until an access token issued from it is first
                           used (asked about at /check, which stands for "the API was called with
                           it"). Presenting it again before that is a replay: a fresh pair, nothing
                           revoked. After that it is revoked: 400 invalid_grant, the grant stays.
  GET  /check?token=ACCESS   {"valid","reason","grant","expires_in"}: issued here, not expired,
       grant not revoked. An older access token stays valid until it expires. A valid answer is
       the token's use (see doorkeeper above).
  GET  /stats                calls per client_id (total and by grant type and outcome), reuse
       count and events, accepted and refused replays, revoked grants, refreshes per grant and
       per grant whether a replay would still be accepted, faults applied and their events.
  POST /control              {"fault": "unavailable"|"reset"|"lost-answer"|"none", "seconds"?: N,
       "count"?: K}: from now on, for N seconds and/or the next K token-endpoint calls it hits
       (at least one of them; "none" ends every fault), the token endpoint
         unavailable  answers 503 temporarily_unavailable without processing the request;
         reset        resets the connection (RST) when a request arrives, before reading it:
                      nothing is processed;
         lost-answer  processes a refresh_token grant (the refresh token rotates) and then resets
                      the connection instead of answering: the answer is lost.
       Only POST /oauth/token is affected (its request line is peeked at). The answer is the
       faults' state: {"current", "applied" (per kind), "events"}, as under "faults" in /stats.
  GET  /health               200

Every token-endpoint call is counted under the client_id that made it, so several callers (for
instance the nodes of a cluster, each with its own client id) can be told apart. Codes and
refresh tokens are not bound to a client id: all of them stand for the same application.
"""
import argparse
import base64
import email.parser
import email.policy
import hashlib
import json
import secrets
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1 << 20
CODE_TTL = 60
SEMANTICS = ("strict", "doorkeeper")


class OAuthError(Exception):
    def __init__(self, status, error, description):
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


def fingerprint(token):
    return hashlib.sha256(token.encode()).hexdigest()[:8] if token else "-"


class Faults:
    """The token endpoint's injected faults (POST /control): one at a time, for a while and/or a number of calls."""
    KINDS = ("unavailable", "reset", "lost-answer")

    def __init__(self, log):
        self.log = log
        self.lock = threading.Lock()
        self.current = None  # {kind, until, left}: until an epoch time or None, left a count or None
        self.applied = {k: 0 for k in self.KINDS}
        self.events = []     # [{t, kind, detail}]

    def set(self, kind, seconds=None, count=None):
        if kind != "none" and kind not in self.KINDS:
            raise OAuthError(400, "invalid_request", "fault must be one of none, %s" % ", ".join(self.KINDS))
        if kind != "none" and seconds is None and count is None:
            raise OAuthError(400, "invalid_request", "a fault needs seconds or count")
        with self.lock:
            self.current = None if kind == "none" else {
                "kind": kind, "until": None if seconds is None else time.time() + float(seconds),
                "left": None if count is None else int(count)}
        self.log("FAULT %s set (seconds %s, count %s)" % (kind, seconds, count))
        return self.state()

    def take(self, kind, detail):
        """True when the fault `kind` applies to this call (and counts it)."""
        with self.lock:
            f = self.current
            if f is None or f["kind"] != kind:
                return False
            if (f["until"] is not None and time.time() >= f["until"]) or f["left"] == 0:
                self.current = None
                return False
            if f["left"] is not None:
                f["left"] -= 1
            self.applied[kind] += 1
            self.events.append({"t": time.time(), "kind": kind, "detail": detail})
        self.log("FAULT %s: %s" % (kind, detail))
        return True

    def state(self):
        with self.lock:
            return {"current": dict(self.current) if self.current else None, "applied": dict(self.applied),
                    "events": list(self.events)}


class Provider:
    def __init__(self, expires_in, client_secret, log, semantics="strict"):
        self.expires_in = expires_in
        self.client_secret = client_secret
        self.semantics = semantics
        self.log_file = log
        self.lock = threading.Lock()
        self.codes = {}      # code -> {client_id, redirect_uri, scope, challenge, expires}
        self.grants = {}     # grant id -> {created, created_by, revoked, revoked_at, revoked_by, refreshes, last_presented}
        self.access = {}     # access token -> {grant, expires, parent (the refresh token it came from), used}
        self.refresh = {}    # refresh token -> {grant, used_at, used_by, revoked_at, delivered}
        self.calls = {}      # client id -> {grant type -> {outcome -> n}}
        self.reuse = []      # [{t, client_id, grant}]
        self.replays = []    # doorkeeper: used refresh tokens accepted again [{t, client_id, grant, first_used_by, first_used_ago}]
        self.refused_replays = []  # doorkeeper: revoked refresh tokens presented [{t, client_id, grant}]
        self.faults = Faults(self.log)
        self.started = time.time()

    def log(self, line):
        text = "%s %s\n" % (time.strftime("%H:%M:%S"), line)
        if self.log_file:
            with open(self.log_file, "a") as f:
                f.write(text)
        else:
            sys.stderr.write(text)

    def count(self, client_id, grant_type, outcome):
        per = self.calls.setdefault(client_id or "-", {}).setdefault(grant_type or "-", {})
        per[outcome] = per.get(outcome, 0) + 1

    # --- authorize -------------------------------------------------------------------------
    def authorize(self, q):
        if q.get("response_type") != "code":
            raise OAuthError(400, "unsupported_response_type", "response_type must be code")
        if not q.get("client_id"):
            raise OAuthError(400, "invalid_request", "client_id is required")
        redirect = q.get("redirect_uri")
        if not redirect:
            raise OAuthError(400, "invalid_request", "redirect_uri is required")
        challenge = q.get("code_challenge")
        if challenge and q.get("code_challenge_method", "plain") != "S256":
            raise OAuthError(400, "invalid_request", "only code_challenge_method S256 is supported")
        code = "code-" + secrets.token_urlsafe(16)
        with self.lock:
            self.codes[code] = {"client_id": q["client_id"], "redirect_uri": redirect,
                                "scope": q.get("scope") or "read", "challenge": challenge,
                                "expires": time.time() + CODE_TTL}
        params = {"code": code}
        if q.get("state") is not None:
            params["state"] = q["state"]
        sep = "&" if "?" in redirect else "?"
        return redirect + sep + urllib.parse.urlencode(params)

    # --- token endpoint --------------------------------------------------------------------
    def token(self, params, basic):
        client_id, client_secret = basic if basic else (params.get("client_id"), params.get("client_secret"))
        grant_type = params.get("grant_type")
        with self.lock:
            try:
                if not client_id or client_secret != self.client_secret:
                    raise OAuthError(401, "invalid_client", "unknown client or wrong client_secret")
                if grant_type == "authorization_code":
                    answer = self._code(params, client_id)
                elif grant_type == "refresh_token":
                    answer = self._refresh(params, client_id)
                else:
                    raise OAuthError(400, "unsupported_grant_type", "grant_type %r is not supported" % grant_type)
                self.count(client_id, grant_type, "ok")
                return 200, answer
            except OAuthError as e:
                self.count(client_id, grant_type, e.error)
                self.log("token %s %s -> %s (%s)" % (client_id, grant_type, e.error, e.description))
                raise

    def _issue(self, grant_id, scope, parent=None):
        now = time.time()
        access = "at-" + secrets.token_urlsafe(24)
        refresh = "rt-" + secrets.token_urlsafe(24)
        self.access[access] = {"grant": grant_id, "expires": now + self.expires_in, "parent": parent, "used": False}
        self.refresh[refresh] = {"grant": grant_id, "used_at": None, "used_by": None, "revoked_at": None, "delivered": True}
        return {"access_token": access, "token_type": "bearer", "expires_in": self.expires_in,
                "refresh_token": refresh, "scope": scope, "created_at": int(now)}

    def _code(self, params, client_id):
        code = self.codes.pop(params.get("code") or "", None)
        if code is None or code["expires"] < time.time():
            raise OAuthError(400, "invalid_grant", "unknown, used or expired authorization code")
        if params.get("redirect_uri") != code["redirect_uri"]:
            raise OAuthError(400, "invalid_grant", "redirect_uri does not match the authorization request")
        if code["challenge"]:
            verifier = params.get("code_verifier") or ""
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()
            if digest != code["challenge"]:
                raise OAuthError(400, "invalid_grant", "code_verifier does not match the code_challenge")
        grant_id = "g%d" % (len(self.grants) + 1)
        self.grants[grant_id] = {"created": time.time(), "created_by": client_id, "revoked": False,
                                 "revoked_at": None, "revoked_by": None, "refreshes": 0, "scope": code["scope"],
                                 "last_presented": None}
        answer = self._issue(grant_id, code["scope"])
        self.log("token %s authorization_code -> ok grant %s access %s" % (client_id, grant_id, fingerprint(answer["access_token"])))
        return answer

    def _refresh(self, params, client_id):
        presented = params.get("refresh_token") or ""
        rt = self.refresh.get(presented)
        if rt is None:
            raise OAuthError(400, "invalid_grant", "unknown refresh token")
        grant = self.grants[rt["grant"]]
        grant["last_presented"] = presented
        if grant["revoked"]:
            raise OAuthError(400, "invalid_grant", "the grant was revoked")
        if rt["revoked_at"] is not None:
            # doorkeeper: an access token issued from this refresh token was used, which revoked it
            self.refused_replays.append({"t": time.time(), "client_id": client_id, "grant": rt["grant"]})
            self.log("REFUSED replay of refresh token %s of grant %s by %s: revoked when an access token issued from it"
                     " was used" % (fingerprint(presented), rt["grant"], client_id))
            raise OAuthError(400, "invalid_grant", "the refresh token was revoked")
        if rt["used_at"] is None:
            rt["used_at"] = time.time()
            rt["used_by"] = client_id
        elif self.semantics == "doorkeeper":
            # Doorkeeper keeps it (previous_refresh_token) until an access token issued from it is used
            now = time.time()
            self.replays.append({"t": now, "client_id": client_id, "grant": rt["grant"],
                                 "first_used_by": rt["used_by"], "first_used_ago": round(now - rt["used_at"], 3)})
            self.log("REPLAY of refresh token %s of grant %s by %s (first used by %s %.1f s ago): accepted, no access"
                     " token issued from it was used yet" % (fingerprint(presented), rt["grant"], client_id,
                                                             rt["used_by"], now - rt["used_at"]))
        else:
            # RFC 9700 section 4.14.2: a rotated refresh token presented again revokes the grant
            now = time.time()
            self.reuse.append({"t": now, "client_id": client_id, "grant": rt["grant"],
                               "first_used_by": rt["used_by"], "first_used_ago": round(now - rt["used_at"], 3)})
            grant.update(revoked=True, revoked_at=now, revoked_by=client_id)
            self.log("REUSE of refresh token %s of grant %s by %s (first used by %s %.1f s ago): grant revoked"
                     % (fingerprint(presented), rt["grant"], client_id, rt["used_by"], now - rt["used_at"]))
            raise OAuthError(400, "invalid_grant", "refresh token reuse detected; the grant is revoked")
        grant["refreshes"] += 1
        answer = self._issue(rt["grant"], grant["scope"], parent=presented)
        self.log("token %s refresh_token -> ok grant %s refresh #%d access %s" % (
            client_id, rt["grant"], grant["refreshes"], fingerprint(answer["access_token"])))
        return answer

    def answer_lost(self, answer):
        """The answer to a refresh was processed here but never reached the client (fault lost-answer)."""
        with self.lock:
            rt = self.refresh[answer["refresh_token"]]
            rt["delivered"] = False
        self.log("lost answer: grant %s, refresh token %s and access %s never delivered" % (
            rt["grant"], fingerprint(answer["refresh_token"]), fingerprint(answer["access_token"])))

    # --- inspection ------------------------------------------------------------------------
    def check(self, token):
        with self.lock:
            a = self.access.get(token or "")
            if a is None:
                return {"valid": False, "reason": "unknown", "grant": None, "expires_in": None}
            left = a["expires"] - time.time()
            reason = "revoked" if self.grants[a["grant"]]["revoked"] else ("expired" if left <= 0 else "ok")
            if reason == "ok":
                self._first_use(token, a)
            return {"valid": reason == "ok", "reason": reason, "grant": a["grant"], "expires_in": round(left, 3)}

    def _first_use(self, token, access):
        """doorkeeper: the first use of an access token revokes the refresh token it was issued from."""
        if access["used"] or self.semantics != "doorkeeper":
            return
        access["used"] = True
        parent = self.refresh.get(access["parent"] or "")
        if parent is not None and parent["revoked_at"] is None:
            parent["revoked_at"] = time.time()
            self.log("first use of access %s of grant %s: the refresh token %s it came from is revoked"
                     % (fingerprint(token), access["grant"], fingerprint(access["parent"])))

    def _accepts(self, token):
        """Whether a refresh with this refresh token would be accepted now."""
        rt = self.refresh.get(token or "")
        if rt is None or self.grants[rt["grant"]]["revoked"] or rt["revoked_at"] is not None:
            return False
        return rt["used_at"] is None or self.semantics == "doorkeeper"

    def _recoverable(self, grant_id):
        """Whether a refresh token the client may hold (the last one it presented, or the newest one whose answer
        arrived) would still be accepted: an account marked lost for this grant could have been kept."""
        delivered = [t for t, r in self.refresh.items() if r["grant"] == grant_id and r["delivered"]]
        return any(self._accepts(t) for t in (self.grants[grant_id]["last_presented"], delivered[-1] if delivered else None))

    def stats(self):
        with self.lock:
            return {
                "uptime": round(time.time() - self.started, 3),
                "calls": {c: sum(sum(o.values()) for o in per.values()) for c, per in self.calls.items()},
                "calls_detail": json.loads(json.dumps(self.calls)),
                "semantics": self.semantics,
                "reuse": len(self.reuse),
                "reuse_events": list(self.reuse),
                "replays": len(self.replays),
                "replay_events": list(self.replays),
                "refused_replays": len(self.refused_replays),
                "refused_replay_events": list(self.refused_replays),
                "revoked_grants": sorted(g for g, v in self.grants.items() if v["revoked"]),
                "refreshes_per_grant": {g: v["refreshes"] for g, v in self.grants.items()},
                "recoverable": {g: self._recoverable(g) for g in self.grants},
                "grants": {g: {k: v for k, v in grant.items() if k != "last_presented"} for g, grant in self.grants.items()},
                "faults": self.faults.state(),
            }


def read_body(handler):
    """The request body: Content-Length or chunked (Vert.x sends multipart chunked)."""
    if "chunked" in (handler.headers.get("Transfer-Encoding") or "").lower():
        out = bytearray()
        while True:
            line = handler.rfile.readline(1024)
            size = int(line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return bytes(out)
            out += handler.rfile.read(size)
            handler.rfile.readline(8)  # CRLF after the chunk
            if len(out) > MAX_BODY:
                raise OAuthError(413, "invalid_request", "body too large")
    length = int(handler.headers.get("Content-Length") or 0)
    if length > MAX_BODY:
        raise OAuthError(413, "invalid_request", "body too large")
    return handler.rfile.read(length) if length else b""


def parse_params(content_type, body):
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype == "application/x-www-form-urlencoded":
        return {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
    if ctype == "multipart/form-data":
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
        out = {}
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name:
                out[name] = part.get_payload(decode=True).decode("utf-8")
        return out
    if ctype == "application/json":
        data = json.loads(body or b"{}")
        return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    raise OAuthError(400, "invalid_request", "unsupported Content-Type %r" % ctype)


def basic_credentials(header):
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        user, _, pw = base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")
    except ValueError:
        return None
    return urllib.parse.unquote_plus(user), urllib.parse.unquote_plus(pw)


TOKEN_CALL = b"POST /oauth/token"


def is_token_call(sock):
    """Waits for the next request on this connection and peeks at its request line without reading it."""
    while True:
        head = sock.recv(len(TOKEN_CALL), socket.MSG_PEEK)
        if len(head) == len(TOKEN_CALL) or not head or b"\n" in head:
            return head == TOKEN_CALL
        time.sleep(0.005)  # the request line is still arriving


def reset_connection(handler):
    """Closes the client's connection with a TCP RST (SO_LINGER 0) instead of any answer."""
    sock = handler.connection
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.rfile.close()  # the socket closes for real once no file object refers to it (wfile holds none)
    sock.close()
    handler.close_connection = True


def make_handler(provider):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "provider-double"

        def log_message(self, fmt, *args):  # quiet: the provider logs what matters
            pass

        def handle_one_request(self):
            try:
                if is_token_call(self.connection) and provider.faults.take(
                        "reset", "connection from port %d reset before its request was read" % self.client_address[1]):
                    reset_connection(self)
                    return
            except OSError:
                self.close_connection = True
                return
            super().handle_one_request()

        def send_json(self, status, obj, extra=None):
            body = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
            try:
                if url.path == "/oauth/authorize":
                    location = provider.authorize(q)
                    self.send_response(302)
                    self.send_header("Location", location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif url.path == "/check":
                    self.send_json(200, provider.check(q.get("token")))
                elif url.path == "/stats":
                    self.send_json(200, provider.stats())
                elif url.path == "/health":
                    self.send_json(200, {"status": "UP"})
                else:
                    self.send_json(404, {"error": "not_found"})
            except OAuthError as e:
                self.send_json(e.status, {"error": e.error, "error_description": e.description})

        def do_POST(self):
            url = urllib.parse.urlsplit(self.path)
            try:
                body = read_body(self)
                if url.path == "/control":
                    self.control(body)
                    return
                if url.path != "/oauth/token":
                    self.send_json(404, {"error": "not_found"})
                    return
                if provider.faults.take("unavailable", "token call from port %d answered 503" % self.client_address[1]):
                    self.send_json(503, {"error": "temporarily_unavailable", "error_description": "injected fault"})
                    return
                params = parse_params(self.headers.get("Content-Type"), body)
                basic = basic_credentials(self.headers.get("Authorization"))
                status, answer = provider.token(params, basic)
                client_id = basic[0] if basic else params.get("client_id")
                if params.get("grant_type") == "refresh_token" and provider.faults.take(
                        "lost-answer", "a refresh by %s was processed, its answer not sent" % client_id):
                    provider.answer_lost(answer)
                    reset_connection(self)
                    return
                self.send_json(status, answer)
            except OAuthError as e:
                extra = {"WWW-Authenticate": 'Basic realm="provider-double"'} if e.status == 401 else None
                self.send_json(e.status, {"error": e.error, "error_description": e.description}, extra)
            except (ValueError, UnicodeDecodeError) as e:
                self.send_json(400, {"error": "invalid_request", "error_description": "unreadable body: %s" % e})

        def control(self, body):
            c = json.loads(body or b"{}")
            self.send_json(200, provider.faults.set(c.get("fault"), c.get("seconds"), c.get("count")))

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("port", type=int)
    p.add_argument("--expires-in", type=int, default=30, help="access token lifetime in seconds (default 30)")
    p.add_argument("--client-secret", default="double-secret", help="the secret every client id must present")
    p.add_argument("--log", help="append the provider's log to this file instead of stderr")
    p.add_argument("--semantics", choices=SEMANTICS, default="strict",
                   help="what a used refresh token presented again does (default strict: revokes the grant)")
    args = p.parse_args()
    provider = Provider(args.expires_in, args.client_secret, args.log, args.semantics)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(provider))
    server.daemon_threads = True
    provider.log("provider double on http://127.0.0.1:%d (expires_in %d s, %s refresh-token semantics)"
                 % (args.port, args.expires_in, args.semantics))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
