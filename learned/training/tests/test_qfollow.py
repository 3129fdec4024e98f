"""follow-q against an admin API (fulcrum_training.qfollow): the stream tap and the POST; run by PythonTrainerTest.

A stand-in admin API on loopback records what the trainer asks; the real proxy is exercised by
proxy's QNetworkFollowTest."""
import argparse
import http.server
import json
import os
import tempfile
import threading
import unittest

import onnx

from fulcrum_training import qfollow


def transition(pool, action, own, reward=0.8):
    return {"kind": "transition", "pool": pool, "state": {"own": own, "others": [0, 0], "present": [1, 1]},
            "action": action, "reward": reward, "next": {"own": own, "others": [0, 0], "present": [1, 1]}}


class Admin(http.server.BaseHTTPRequestHandler):
    """GET /api/models/q, POST /api/models/q, GET /api/stream?lines=transitions (a few lines, then the end)."""
    calls = []
    served = {}

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        Admin.calls.append(("GET", self.path, self.headers.get("Authorization")))
        if self.path == "/api/models/q":
            self.answer(200, {"name": "q", "kind": "q-network", "file": Admin.served["file"], "version": Admin.served.get("version")})
        elif self.path == "/api/stream?lines=transitions":
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.end_headers()
            lines = [transition("web", i % 2, [i, 10 - i]) for i in range(10)] + [transition("other", 0, [1, 1])]
            for line in lines:
                self.wfile.write((json.dumps(line) + "\n").encode())
            self.wfile.flush()
        else:
            self.answer(404, {"error": "no route"})

    def do_POST(self):
        Admin.calls.append(("POST", self.path, self.headers.get("Authorization")))
        props = {p.key: p.value for p in onnx.load(Admin.served["file"]).metadata_props}
        Admin.served["version"] = props["fulcrum.version"]  # the proxy loads the renamed file
        self.answer(200, {"name": "q", "result": "swapped", "version": props["fulcrum.version"]})


class FollowQAdminTest(unittest.TestCase):
    def test_streams_transitions_trains_and_posts_the_model(self):
        with tempfile.TemporaryDirectory() as tmp:
            Admin.calls = []
            Admin.served = {"file": os.path.join(tmp, "served.onnx")}
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Admin)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            token = os.path.join(tmp, "token")
            with open(token, "w") as f:
                f.write("s3cret\n")
            local = os.path.join(tmp, "streamed.ndjson")
            args = argparse.Namespace(admin="http://127.0.0.1:%d" % server.server_address[1], name="q", token_file=token,
                                      out=None, from_stream=True, pool="web", transitions=local, actions=2, flow_scale=10.0,
                                      network="slot", algorithm="ddqn", gamma=0.9, steps=20, interval=0.05, min_new=10,
                                      rounds=1, duration=60, seed=0, version=None, reward="proxy", fct_ref=None)
            logged = []
            try:
                self.assertEqual(qfollow.run(args, logged.append), 0)
            finally:
                server.shutdown()
                server.server_close()
            with open(local) as f:
                rows = [json.loads(line) for line in f]
            self.assertGreaterEqual(len(rows), 10)
            self.assertTrue(all(r["pool"] == "web" for r in rows), "another pool's transitions are left out")
            posts = [c for c in Admin.calls if c[0] == "POST"]
            self.assertEqual(posts, [("POST", "/api/models/q", "Bearer s3cret")])
            self.assertEqual(Admin.served["version"], "follow-1")
            report = json.loads([line for line in logged if line.startswith("{")][-1])
            self.assertEqual((report["reload"], report["serving"], report["swapped"]), ("swapped", "follow-1", True))

    def test_a_model_of_another_kind_is_not_replaced(self):
        class Api:
            def model(self, name):
                return {"name": name, "kind": "learned-hash", "file": "/x.onnx"}
        with self.assertRaisesRegex(RuntimeError, "model h is a learned-hash model \\(expected: q-network\\)"):
            qfollow.served_file(Api(), "h")


if __name__ == "__main__":
    unittest.main()
