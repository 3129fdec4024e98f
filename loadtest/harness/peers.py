"""The backends and the proxies under test, each started from a configuration generated into the
run's temporary directory, all given the same number of worker threads."""
import os

from procs import BenchFailure, Service, free_port, pinned, wait_for_port

NGINX_STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so"
# The small HTTP response of the keep-alive and new-connection workloads: 128 bytes of body.
SMALL_BODY = "x" * 127


class Backends:
    """An NGINX HTTP server with a small body (and stub_status on a port of its own, to count the
    requests that reached it) and an iperf3 server for bulk transfer."""

    def __init__(self, workdir, workers, cpus, max_connections):
        self.http_port = free_port()
        self.status_port = free_port()
        self.iperf_port = free_port()
        for sub in ("backend-tmp",):
            os.makedirs(os.path.join(workdir, sub), exist_ok=True)
        conf = os.path.join(workdir, "backend-nginx.conf")
        tmp = os.path.join(workdir, "backend-tmp")
        with open(conf, "w") as f:
            f.write(f"""daemon off;
worker_processes {workers};
worker_rlimit_nofile {max_connections + 1000};
pid {workdir}/backend-nginx.pid;
error_log {workdir}/backend-nginx-error.log warn;
events {{ worker_connections {max_connections}; }}
http {{
  access_log off;
  default_type text/plain;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  client_header_timeout 300s;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  server {{ listen 127.0.0.1:{self.http_port} backlog=4096; location / {{ return 200 "{SMALL_BODY}\\n"; }} }}
  server {{ listen 127.0.0.1:{self.status_port}; location / {{ stub_status; }} }}
}}
""")
        self.nginx = Service("backend-nginx", pinned(cpus, ["nginx", "-p", workdir, "-c", conf]), workdir)
        self.iperf = Service("backend-iperf3", pinned(cpus, ["iperf3", "-s", "-B", "127.0.0.1", "-p", str(self.iperf_port)]), workdir)
        wait_for_port(self.http_port, 15, self.nginx.proc, "backend nginx")
        wait_for_port(self.iperf_port, 15, self.iperf.proc, "backend iperf3")

    def requests_served(self):
        """Requests the HTTP backend has answered so far (its stub_status counter)."""
        import urllib.request
        with urllib.request.urlopen(f"http://127.0.0.1:{self.status_port}/", timeout=5) as r:
            lines = r.read().decode().splitlines()
        # "Active connections: N" / "server accepts handled requests" / " A H R" / ...
        return int(lines[2].split()[2])

    def stop(self):
        self.nginx.stop()
        self.iperf.stop()


class Peer:
    """One way from the load generator to the backends: name, the ports to aim at, and the
    process that carries the traffic (None for the direct connection)."""

    def __init__(self, name, http_port, bulk_port, service=None):
        self.name = name
        self.http_port = http_port
        self.bulk_port = bulk_port
        self.service = service

    def stop(self):
        if self.service is not None:
            self.service.stop()


def direct(backends):
    return Peer("direct", backends.http_port, backends.iperf_port)


def fulcrum(workdir, backends, threads, cpus, max_connections, jar, java_opts, name="fulcrum", extra_yaml=""):
    """A Fulcrum process; name (its config and log file, and the peer's name) and extra_yaml (more
    top-level config keys, e.g. "telemetry: {enabled: false}") let two differently configured
    Fulcrums run side by side (scripts/telemetry-overhead)."""
    http_port, bulk_port = free_port(), free_port()
    conf = os.path.join(workdir, f"{name}.yaml")
    with open(conf, "w") as f:
        f.write(f"""runtime: {{transport: epoll, eventLoops: {threads}}}
admin: {{address: "off"}}
{extra_yaml}
listeners:
  http: {{bind: "127.0.0.1:{http_port}", pool: http, maxConnections: {max_connections}}}
  bulk: {{bind: "127.0.0.1:{bulk_port}", pool: bulk}}
pools:
  http: {{backends: ["127.0.0.1:{backends.http_port}"]}}
  bulk: {{backends: ["127.0.0.1:{backends.iperf_port}"]}}
""")
    argv = ["java"] + java_opts + ["-jar", jar, "run", "-c", conf]
    service = Service(name, pinned(cpus, argv), workdir)
    wait_for_port(http_port, 60, service.proc, name)
    wait_for_port(bulk_port, 10, service.proc, name)
    return Peer(name, http_port, bulk_port, service)


def haproxy(workdir, backends, threads, cpus, max_connections):
    http_port, bulk_port = free_port(), free_port()
    conf = os.path.join(workdir, "haproxy.cfg")
    with open(conf, "w") as f:
        f.write(f"""global
  nbthread {threads}
  maxconn {max_connections}
defaults
  mode tcp
  timeout connect 2s
  timeout client 5m
  timeout server 5m
frontend http
  bind 127.0.0.1:{http_port}
  default_backend http
backend http
  server b1 127.0.0.1:{backends.http_port}
frontend bulk
  bind 127.0.0.1:{bulk_port}
  default_backend bulk
backend bulk
  server b1 127.0.0.1:{backends.iperf_port}
""")
    service = Service("haproxy", pinned(cpus, ["haproxy", "-db", "-f", conf]), workdir)
    wait_for_port(http_port, 15, service.proc, "HAProxy")
    return Peer("haproxy", http_port, bulk_port, service)


def nginx(workdir, backends, threads, cpus, max_connections):
    http_port, bulk_port = free_port(), free_port()
    conf = os.path.join(workdir, "nginx-stream.conf")
    if not os.path.exists(NGINX_STREAM_MODULE):
        raise BenchFailure(f"{NGINX_STREAM_MODULE} is missing (install libnginx-mod-stream)")
    with open(conf, "w") as f:
        f.write(f"""load_module {NGINX_STREAM_MODULE};
daemon off;
worker_processes {threads};
worker_rlimit_nofile {2 * max_connections + 1000};
pid {workdir}/nginx-stream.pid;
error_log {workdir}/nginx-stream-error.log warn;
events {{ worker_connections {2 * max_connections + 100}; }}
stream {{
  server {{ listen 127.0.0.1:{http_port} backlog=4096; proxy_pass 127.0.0.1:{backends.http_port}; }}
  server {{ listen 127.0.0.1:{bulk_port}; proxy_pass 127.0.0.1:{backends.iperf_port}; }}
}}
""")
    service = Service("nginx", pinned(cpus, ["nginx", "-p", workdir, "-c", conf]), workdir)
    wait_for_port(http_port, 15, service.proc, "NGINX")
    return Peer("nginx", http_port, bulk_port, service)
