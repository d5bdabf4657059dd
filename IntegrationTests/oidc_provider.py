"""A small OpenID Connect provider for the OAuth2 tests, started by them on loopback.

Endpoints (all under `provider.url`):
  GET  /authorize  the consent step: redirects to `redirect_uri` with `code` and `state` (or `error`) at once,
                   for whichever user the test put in `provider.user`
  POST /token      the authorization-code exchange: client credentials (HTTP Basic or form), one use per code,
                   the same `redirect_uri`, and the PKCE check (S256 of `code_verifier` = `code_challenge`)
  GET  /jwks       the public RSA key the id_tokens are signed with (RS256)
  GET  /userinfo   the user's claims for a Bearer access token
  GET  /avatar.png a tiny PNG, for `mappedFields.avatarURL`

Switchable misbehaviour, as attributes: `wrong_issuer`, `bad_signature`, `expired` (the id_token's), and
`allow_replay` (accept a code twice). `token_requests` keeps every /token form for assertions.

The RSA key and the RS256 signature are plain Python (no third-party crypto package in the test venv).
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CLIENT_ID = "it-client"
CLIENT_SECRET = "it-client-secret"
KID = "it-key-1"

# DER prefix of a SHA-256 DigestInfo (RFC 8017 §9.2, note 1): what PKCS#1 v1.5 signs around the digest.
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_bytes(n: int) -> bytes:
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


def _probable_prime(bits: int) -> int:
    small = [p for p in range(3, 2000, 2) if all(p % d for d in range(3, int(p ** 0.5) + 1, 2))]
    while True:
        n = secrets.randbits(bits) | (1 << (bits - 1)) | (1 << (bits - 2)) | 1
        if any(n % p == 0 for p in small):
            continue
        d, r = n - 1, 0
        while d % 2 == 0:
            d //= 2
            r += 1
        for _ in range(40):
            a = secrets.randbelow(n - 3) + 2
            x = pow(a, d, n)
            if x in (1, n - 1):
                continue
            for _ in range(r - 1):
                x = pow(x, 2, n)
                if x == n - 1:
                    break
            else:
                break
        else:
            return n


class RSAKey:
    def __init__(self, bits: int = 2048):
        e = 65537
        while True:
            p, q = _probable_prime(bits // 2), _probable_prime(bits // 2)
            phi = (p - 1) * (q - 1)
            if p != q and phi % e:
                break
        self.n, self.e, self.d = p * q, e, pow(e, -1, phi)
        self.size = (self.n.bit_length() + 7) // 8

    def sign(self, message: bytes) -> bytes:
        digest = _SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
        padded = b"\x00\x01" + b"\xff" * (self.size - len(digest) - 3) + b"\x00" + digest
        return pow(int.from_bytes(padded, "big"), self.d, self.n).to_bytes(self.size, "big")

    def jwk(self) -> dict:
        return {"kty": "RSA", "kid": KID, "use": "sig", "alg": "RS256",
                "n": b64url(_int_bytes(self.n)), "e": b64url(_int_bytes(self.e))}


class OIDCProvider:
    def __init__(self):
        self.key = RSAKey()
        self.user = {"sub": "u-1", "email": "one@example.com", "email_verified": True, "name": "User One",
                     "preferred_username": "userone"}
        self.wrong_issuer = False
        self.bad_signature = False
        self.expired = False
        self.allow_replay = False
        self.token_requests: list[dict] = []
        self._codes: dict[str, dict] = {}
        self._tokens: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="it-oidc")
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)

    def reset(self) -> None:
        self.wrong_issuer = self.bad_signature = self.expired = self.allow_replay = False
        self.token_requests.clear()

    def provider_config(self, name: str = "oidc", *, userinfo: bool = False, jwks: bool = True,
                        issuers: bool = True, **overrides) -> dict:
        """The collection's `oauth2.providers` entry for this provider."""
        extra = {}
        if jwks:
            extra["jwksURL"] = self.url + "/jwks"
        if issuers:
            extra["issuers"] = [self.url]
        config = {"name": name, "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET,
                  "authURL": self.url + "/authorize", "tokenURL": self.url + "/token",
                  "userInfoURL": self.url + "/userinfo" if userinfo else "", "displayName": "", "extra": extra}
        config.update(overrides)
        return config

    # MARK: - Endpoint logic

    def authorize(self, query: dict) -> tuple[int, dict]:
        redirect = query.get("redirect_uri", "")
        if query.get("client_id") != CLIENT_ID or not redirect:
            return 400, {"error": "invalid_request"}
        sep = "&" if "?" in redirect else "?"
        if query.get("prompt") == "deny":
            return 302, {"Location": redirect + sep + urllib.parse.urlencode(
                {"error": "access_denied", "state": query.get("state", "")})}
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = {"redirect_uri": redirect, "challenge": query.get("code_challenge", ""),
                                 "method": query.get("code_challenge_method", ""), "user": dict(self.user),
                                 "used": False}
        return 302, {"Location": redirect + sep + urllib.parse.urlencode({"code": code, "state": query.get("state", "")})}

    def token(self, form: dict, authorization: str) -> tuple[int, dict]:
        self.token_requests.append(dict(form))
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        if authorization.startswith("Basic "):
            raw = base64.b64decode(authorization[6:]).decode()
            client_id, _, client_secret = (urllib.parse.unquote_plus(p) for p in raw.partition(":"))
        if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
            return 401, {"error": "invalid_client"}
        with self._lock:
            grant = self._codes.get(form.get("code", ""))
            if form.get("grant_type") != "authorization_code" or grant is None:
                return 400, {"error": "invalid_grant"}
            if grant["used"] and not self.allow_replay:
                return 400, {"error": "invalid_grant", "error_description": "code already used"}
            if grant["redirect_uri"] != form.get("redirect_uri", ""):
                return 400, {"error": "invalid_grant", "error_description": "redirect_uri mismatch"}
            if grant["challenge"]:
                verifier = form.get("code_verifier", "")
                if b64url(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
                    return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
            grant["used"] = True
            access = secrets.token_urlsafe(24)
            self._tokens[access] = grant["user"]
        return 200, {"access_token": access, "token_type": "Bearer", "expires_in": 3600,
                     "refresh_token": "r-" + access, "id_token": self.id_token(grant["user"])}

    def id_token(self, user: dict) -> str:
        now = int(time.time())
        exp = now - 3600 if self.expired else now + 3600
        claims = {"iss": self.url + ("/other" if self.wrong_issuer else ""), "aud": CLIENT_ID,
                  "iat": now - (7200 if self.expired else 0), "exp": exp, **user}
        header = {"alg": "RS256", "typ": "JWT", "kid": KID}
        signing_input = (b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())).encode()
        signature = self.key.sign(signing_input)
        if self.bad_signature:
            signature = bytes([signature[0] ^ 0xFF]) + signature[1:]
        return signing_input.decode() + "." + b64url(signature)

    def userinfo(self, authorization: str) -> tuple[int, dict]:
        user = self._tokens.get(authorization.removeprefix("Bearer ").strip())
        if user is None:
            return 401, {"error": "invalid_token"}
        return 200, user


def _handler(provider: OIDCProvider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _answer(self, status: int, body, content_type="application/json", headers=None):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            u = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(u.query))
            if u.path == "/authorize":
                status, headers = provider.authorize(query)
                if status == 302:
                    self._answer(302, b"", "text/plain", headers)
                else:
                    self._answer(status, headers)
            elif u.path == "/jwks":
                self._answer(200, {"keys": [provider.key.jwk()]})
            elif u.path == "/userinfo":
                self._answer(*provider.userinfo(self.headers.get("Authorization", "")))
            elif u.path == "/avatar.png":
                self._answer(200, _PNG, "image/png")
            else:
                self._answer(404, {"error": "not_found"})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            if urllib.parse.urlsplit(self.path).path == "/token":
                self._answer(*provider.token(form, self.headers.get("Authorization", "")))
            else:
                self._answer(404, {"error": "not_found"})

    return Handler
