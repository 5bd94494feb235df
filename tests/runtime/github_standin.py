#!/usr/bin/env python3
"""A stand-in for the GitHub REST API, for tests that cannot reach GitHub.

Speaks the wire format of the endpoints opsbox uses -- issues (create, get,
list, update), issue comments (create, list) and issue search -- checks the
bearer token, and fails on demand so retries can be tested:

  POST /_control {"fail": N, "status": 503}        next N API calls answer 503
  POST /_control {"fail": N, "status": 429, "retry_after": 1}
  POST /_control {"fail": N, "status": 403, "ratelimit_reset_in": 1}
  POST /_control {"hang_after_create": N, "seconds": S}  the next N issue
        creations are stored, then the reply is held S seconds (a client that
        dies meanwhile never learns the number: the crash-duplicate case)
  POST /_control {"down": true|false}               every API call answers 503
  GET  /_state                                      issues, comments, counts

usage: github_standin.py PORTFILE TOKEN   (binds 127.0.0.1:0, writes the port)
"""
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LOCK = threading.Lock()
STATE = {"issues": [], "comments": {}, "requests": 0, "creates": 0, "failed": 0}
CONTROL = {"fail": 0, "status": 503, "retry_after": None, "reset_in": None,
           "hang": 0, "hang_seconds": 0, "down": False}
TOKEN = ""
BASE = ""


def issue_json(i):
    return dict(i, html_url="%s/%s/issues/%d" % (BASE, i["repo"], i["number"]))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, obj, headers=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        # First thing in every request: a reply that leaves the body unread
        # would make it the next "request" on this keep-alive connection.
        n = int(self.headers.get("Content-Length") or 0)
        self._raw = self.rfile.read(n) if n else b""

    def body(self):
        return json.loads(self._raw) if self._raw else {}

    def injected_failure(self):
        """Answers with the failure the test asked for; True if it did."""
        with LOCK:
            if CONTROL["down"]:
                status, headers = 503, {}
            elif CONTROL["fail"] > 0:
                CONTROL["fail"] -= 1
                status, headers = CONTROL["status"], {}
                if CONTROL["retry_after"] is not None:
                    headers["Retry-After"] = str(CONTROL["retry_after"])
                if CONTROL["reset_in"] is not None:
                    headers["X-RateLimit-Remaining"] = "0"
                    headers["X-RateLimit-Reset"] = str(int(time.time() + CONTROL["reset_in"]))
            else:
                return False
            STATE["failed"] += 1
        msg = "API rate limit exceeded" if status in (403, 429) else "Service Unavailable"
        self.reply(status, {"message": msg}, headers)
        return True

    def handle_api(self, method):
        try:
            self.body()
        except ValueError:
            return self.reply(400, {"message": "Problems parsing JSON"})
        url = urlparse(self.path)
        q = parse_qs(url.query)
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            return self.reply(401, {"message": "Bad credentials"})
        with LOCK:
            STATE["requests"] += 1
        if self.injected_failure():
            return
        m = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues(?:/(\d+))?(/comments)?", url.path)
        if url.path == "/search/issues" and method == "GET":
            words = q.get("q", [""])[0]
            uid = re.search(r"incident ([0-9a-f]{16})", words)
            with LOCK:
                items = [issue_json(i) for i in STATE["issues"]
                         if uid and uid.group(0) in (i["body"] or "")]
            return self.reply(200, {"total_count": len(items), "incomplete_results": False,
                                    "items": items})
        if not m:
            return self.reply(404, {"message": "Not Found"})
        repo, number, comments = m.group(1), m.group(2), m.group(3)
        if number is None and method == "POST":
            return self.create_issue(repo)
        if number is None and method == "GET":
            with LOCK:
                items = [issue_json(i) for i in reversed(STATE["issues"]) if i["repo"] == repo]
            per_page = int(q.get("per_page", ["30"])[0])
            return self.reply(200, items[:per_page])
        with LOCK:
            found = [i for i in STATE["issues"] if i["repo"] == repo and i["number"] == int(number)]
        if not found:
            return self.reply(404, {"message": "Not Found"})
        issue = found[0]
        if comments and method == "POST":
            b = self.body()
            with LOCK:
                lst = STATE["comments"].setdefault(str(issue["number"]), [])
                c = {"id": len(lst) + 1, "body": b.get("body", "")}
                lst.append(c)
            return self.reply(201, c)
        if comments and method == "GET":
            with LOCK:
                lst = list(STATE["comments"].get(str(issue["number"]), []))
            return self.reply(200, lst)
        if method == "PATCH":
            b = self.body()
            with LOCK:
                if "state" in b:
                    issue["state"] = b["state"]
                    issue["state_reason"] = b.get("state_reason")
            return self.reply(200, issue_json(issue))
        if method == "GET":
            return self.reply(200, issue_json(issue))
        return self.reply(404, {"message": "Not Found"})

    def create_issue(self, repo):
        b = self.body()
        if not b.get("title"):
            return self.reply(422, {"message": "Validation Failed",
                                    "errors": [{"field": "title", "code": "missing_field"}]})
        with LOCK:
            STATE["creates"] += 1
            issue = {"number": len(STATE["issues"]) + 1, "repo": repo, "title": b["title"],
                     "body": b.get("body", ""), "state": "open",
                     "labels": [{"name": n} for n in b.get("labels", [])]}
            STATE["issues"].append(issue)
            hang = CONTROL["hang"] > 0
            if hang:
                CONTROL["hang"] -= 1
        if hang:
            time.sleep(CONTROL["hang_seconds"])
        self.reply(201, issue_json(issue))

    def do_GET(self):
        self.read_body()
        if self.path == "/_state":
            with LOCK:
                return self.reply(200, STATE)
        self.handle_api("GET")

    def do_POST(self):
        self.read_body()
        if self.path == "/_control":
            b = self.body()
            with LOCK:
                if "fail" in b:
                    CONTROL.update(fail=b["fail"], status=b.get("status", 503),
                                   retry_after=b.get("retry_after"),
                                   reset_in=b.get("ratelimit_reset_in"))
                if "hang_after_create" in b:
                    CONTROL.update(hang=b["hang_after_create"], hang_seconds=b.get("seconds", 30))
                if "down" in b:
                    CONTROL["down"] = bool(b["down"])
            return self.reply(200, CONTROL)
        self.handle_api("POST")

    def do_PATCH(self):
        self.read_body()
        self.handle_api("PATCH")


def main():
    global TOKEN, BASE
    portfile, TOKEN = sys.argv[1], sys.argv[2]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    BASE = "http://127.0.0.1:%d" % server.server_address[1]
    with open(portfile + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(portfile + ".tmp", portfile)
    server.serve_forever()


if __name__ == "__main__":
    main()
