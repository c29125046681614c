"""The provider double (scripts/provider_double.py) as the check uses it: started with a semantics,
its faults switched through POST /control, tokens checked at /check, figures read from /stats."""
import json
import os
import sys
import urllib.parse

from .util import LOOPBACK, request, wait_until

TOKEN_LIFETIME = 40  # expires_in of every access token: many rotations in a few minutes


class Double:
    def __init__(self, root, run_dir, port, client_secret, children):
        self.script = os.path.join(root, "scripts", "provider_double.py")
        self.log_path = os.path.join(run_dir, "provider.log")
        self.port = port
        self.client_secret = client_secret
        self.children = children
        self.proc = None
        self.semantics = None

    @property
    def url(self):
        return "http://%s:%d" % (LOOPBACK, self.port)

    def start(self, semantics):
        self.semantics = semantics
        self.proc = self.children.spawn("provider double", [
            sys.executable, self.script, str(self.port), "--expires-in", str(TOKEN_LIFETIME),
            "--client-secret", self.client_secret, "--log", self.log_path, "--semantics", semantics], self.log_path)
        if not wait_until(self.healthy, 10, 0.2):
            raise RuntimeError("the provider double did not start (see %s)" % self.log_path)

    def healthy(self):
        try:
            return request(self.url + "/health", timeout=1)[0] == 200
        except OSError:
            return False

    def stop(self):
        self.children.stop(self.proc)
        self.proc = None

    def control(self, fault, seconds=None, count=None):
        body = json.dumps({"fault": fault, "seconds": seconds, "count": count}).encode()
        status, _, answer = request(self.url + "/control", "POST", {"Content-Type": "application/json"}, body)
        if status != 200:
            raise RuntimeError("the double refused the fault %s: %s" % (fault, answer[:200]))
        return json.loads(answer)

    def check(self, access_token):
        """{"valid", "reason", "grant", "expires_in"}; with doorkeeper semantics this is the token's use."""
        return json.loads(request(self.url + "/check?token=" + urllib.parse.quote(access_token), timeout=5)[2])

    def stats(self):
        return json.loads(request(self.url + "/stats", timeout=10)[2])
