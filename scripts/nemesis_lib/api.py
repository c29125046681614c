"""The broker's HTTP routes the check calls, on one node at a time, with the admin API key."""
import json

from .util import request

PROVIDER = "rightsignature"


class Api:
    def __init__(self, api_key):
        self.headers = {"Authorization": "Bearer " + api_key}

    def call(self, node, method, path, timeout=5.0):
        """(status, JSON body or {}) from node; raises util.Unreachable when it does not answer."""
        status, _, body = request(node.url + path, method, self.headers, b"" if method == "POST" else None, timeout)
        try:
            return status, json.loads(body)
        except ValueError:
            return status, {"body": body[:200].decode("utf-8", "replace")}

    def token(self, node, account, timeout):
        return self.call(node, "GET", "/v1/tokens/%s?account=%s" % (PROVIDER, account), timeout)

    def force_refresh(self, node, account, timeout=15.0):
        return self.call(node, "POST", "/v1/tokens/%s/refresh?account=%s" % (PROVIDER, account), timeout)

    def delete(self, node, account):
        return self.call(node, "DELETE", "/v1/tokens/%s?account=%s" % (PROVIDER, account))

    def accounts(self, node, timeout=3.0):
        """{account: row} of GET /v1/tokens (state, version, last_error ...), or None when it cannot answer."""
        status, rows = self.call(node, "GET", "/v1/tokens?provider=" + PROVIDER, timeout)
        return {r["account"]: r for r in rows} if status == 200 else None

    def authorize(self, node, account, double):
        """The onboarding flow: authorize_url from the broker, approved at the double, back to the callback."""
        status, body = self.call(node, "POST", "/v1/oauth/%s/authorize?account=%s" % (PROVIDER, account))
        if status != 200:
            raise RuntimeError("authorize %s on node %d: HTTP %s %s" % (account, node.index, status, body))
        url = body["authorize_url"]
        if not url.startswith(double.url + "/oauth/authorize?"):
            raise RuntimeError("authorize_url does not point at the provider double: " + url.split("?")[0])
        status, headers, _ = request(url)
        if status != 302:
            raise RuntimeError("the double refused the authorization of %s: HTTP %s" % (account, status))
        callback = headers["Location"]
        if not callback.startswith(node.url + "/v1/oauth/%s/callback?" % PROVIDER):
            raise RuntimeError("the double redirected to an unexpected callback: " + callback.split("?")[0])
        status, _, page = request(callback, timeout=20)
        if status != 200 or b"Connected" not in page:
            raise RuntimeError("callback for %s on node %d: HTTP %s %s" % (account, node.index, status, page[:300]))

