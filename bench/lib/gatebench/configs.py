"""Equivalent configuration for every proxy, written by the harness.

Every proxy does the same routing: host `bench.local` with path prefixes `/static`, `/api` and `/upload`, host
`other.bench.local` with `/`, each to the Service `static` = two endpoints (two loopback ports of one nginx
backend process) in round-robin, with keep-alive upstream connections, the forwarding headers ingress-nginx sets
(X-Forwarded-For/-Host/-Port/-Proto, X-Real-IP, X-Request-ID), no access log, and the same TLS certificate.
"""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

from .common import ALT_HOST, BACKEND_PORTS, HOST, LARGE_BYTES, SMALL_BYTES

ECHO_MODULE = Path("/usr/lib/nginx/modules/ngx_http_echo_module.so")


def write_www(root: Path) -> Path:
    www = root / "www"
    (www / "static").mkdir(parents=True, exist_ok=True)
    (www / "static" / "small").write_bytes((b"gatehouse bench small response " * 8)[: SMALL_BYTES - 1] + b"\n")
    chunk = bytes(range(256))
    (www / "static" / "64k").write_bytes((chunk * (LARGE_BYTES // 256 + 1))[:LARGE_BYTES])
    return www


# `--tls-key`: the key type of the run's self-signed certificate -> (openssl req arguments, how reports name it).
TLS_KEYS = {
    "p256": (["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"], "ECDSA P-256"),
    "rsa2048": (["-newkey", "rsa:2048"], "RSA-2048"),
}


def tls_certificate(root: Path, key_type: str = "p256") -> tuple[Path, Path, Path]:
    """A self-signed certificate for both hosts with an ECDSA P-256 (default) or RSA-2048 key (`TLS_KEYS`):
    (cert, key, cert+key PEM for HAProxy). Generated once per run directory; every proxy serves it."""
    crt, key, pem = root / "tls.crt", root / "tls.key", root / "tls.pem"
    if not crt.exists():
        subprocess.run(
            ["openssl", "req", "-x509", *TLS_KEYS[key_type][0], "-nodes",
             "-keyout", str(key), "-out", str(crt), "-days", "3650", "-subj", f"/CN={HOST}",
             "-addext", f"subjectAltName=DNS:{HOST},DNS:{ALT_HOST}"],
            check=True, capture_output=True,
        )
        pem.write_bytes(crt.read_bytes() + key.read_bytes())
    return crt, key, pem


def _temp_paths(root: Path) -> str:
    lines = []
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (root / "tmp" / name).mkdir(parents=True, exist_ok=True)
        lines.append(f"    {name}_temp_path {root / 'tmp' / name};")
    return "\n".join(lines)


def backend_nginx(root: Path, www: Path, ports: tuple[int, ...] = BACKEND_PORTS, name: str = "backend") -> Path:
    """The fast static backend: nginx, one worker, a 100-byte and a 64 KiB file, and /upload which reads the whole
    body before answering 200 (echo module), on every port of `ports`."""
    work = root / name
    work.mkdir(parents=True, exist_ok=True)
    listens = "\n".join(f"        listen 127.0.0.1:{port} backlog=4096;" for port in ports)
    load = f"load_module {ECHO_MODULE};" if ECHO_MODULE.exists() else "# echo module missing: /upload answers 405"
    upload = (
        "echo_read_request_body;\n            echo \"ok\";" if ECHO_MODULE.exists() else "return 405;"
    )
    conf = work / "nginx.conf"
    conf.write_text(f"""{load}
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
worker_rlimit_nofile 16384;
events {{ worker_connections 8000; }}
http {{
    access_log off;
    server_tokens off;
    default_type application/octet-stream;
    sendfile on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    open_file_cache max=64 inactive=600s;
    open_file_cache_valid 600s;
{_temp_paths(work)}
    server {{
{listens}
        root {www};
        add_header X-Backend $server_port always;
        location /static/ {{ }}
        location /api/ {{ return 200 "api\\n"; }}
        location = /upload {{
            client_max_body_size 0;
            client_body_buffer_size 16m;
            {upload}
        }}
        location / {{ return 200 "root\\n"; }}
    }}
}}
""")
    return conf


def gatehouse_manifests(root: Path, crt: Path, key: Path, ports: tuple[int, ...] = BACKEND_PORTS) -> Path:
    """Ingress, Service and EndpointSlice manifests (plus the TLS Secret) equivalent to the other configs."""
    manifests = root / "manifests"
    manifests.mkdir(parents=True, exist_ok=True)
    b64 = lambda path: base64.b64encode(path.read_bytes()).decode()
    (manifests / "class.yaml").write_text("""apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: gatehouse
spec:
  controller: gatehouse.dev/ingress-controller
""")
    (manifests / "secret.yaml").write_text(f"""apiVersion: v1
kind: Secret
metadata:
  name: bench-tls
type: kubernetes.io/tls
data:
  tls.crt: {b64(crt)}
  tls.key: {b64(key)}
""")
    slices = "".join(f"""---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: static-{index}
  labels:
    kubernetes.io/service-name: static
addressType: IPv4
ports:
- name: http
  port: {port}
  protocol: TCP
endpoints:
- addresses: ["127.0.0.1"]
  conditions:
    ready: true
  targetRef:
    kind: Pod
    name: static-{index}
""" for index, port in enumerate(ports))
    (manifests / "static-service.yaml").write_text(f"""apiVersion: v1
kind: Service
metadata:
  name: static
spec:
  selector:
    app: static
  ports:
  - name: http
    port: 80
    targetPort: http
    protocol: TCP
{slices}""")
    backend = """        backend:
          service:
            name: static
            port:
              number: 80"""
    (manifests / "ingress.yaml").write_text(f"""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: bench
  annotations:
    # The other proxies serve plain HTTP and HTTPS alike; ingress-nginx (and Gatehouse) would answer plain HTTP for
    # a TLS host with 308 to HTTPS.
    nginx.ingress.kubernetes.io/ssl-redirect: "false"
spec:
  ingressClassName: gatehouse
  tls:
  - hosts: [{HOST}, {ALT_HOST}]
    secretName: bench-tls
  rules:
  - host: {HOST}
    http:
      paths:
      - path: /static
        pathType: Prefix
{backend}
      - path: /api
        pathType: Prefix
{backend}
  - host: {ALT_HOST}
    http:
      paths:
      - path: /
        pathType: Prefix
{backend}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: bench-upload
  annotations:
    nginx.ingress.kubernetes.io/proxy-body-size: "0"
    nginx.ingress.kubernetes.io/ssl-redirect: "false"
spec:
  ingressClassName: gatehouse
  rules:
  - host: {HOST}
    http:
      paths:
      - path: /upload
        pathType: Prefix
{backend}
""")
    return manifests


def nginx_proxy(root: Path, workers: int, http_port: int, https_port: int, crt: Path, key: Path,
                ports: tuple[int, ...] = BACKEND_PORTS) -> Path:
    """nginx as ingress-nginx configures it (its defaults: proxy_buffering off, 320 keep-alive upstream connections,
    proxy_next_upstream error timeout with 3 tries), streaming uploads (proxy_request_buffering off) like Gatehouse."""
    work = root / "nginx"
    work.mkdir(parents=True, exist_ok=True)
    servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in ports)
    tls = f"""        ssl_certificate {crt};
        ssl_certificate_key {key};"""
    conf = work / "nginx.conf"
    conf.write_text(f"""worker_processes {workers};
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
worker_rlimit_nofile 16384;
events {{
    worker_connections 8000;
    multi_accept on;
}}
http {{
    access_log off;
    server_tokens off;
    keepalive_timeout 75s;
    # ingress-nginx uses 1000; since nginx 1.19.7 this also caps requests per HTTP/2 connection, and h2load does not
    # reconnect after the GOAWAY, so it is raised for every proxy-side connection here.
    keepalive_requests 100000;
    client_max_body_size 1m;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:SSL:10m;
    ssl_session_tickets off;
{_temp_paths(work)}
    upstream static {{
{servers}
        keepalive 320;
        keepalive_requests 10000;
        keepalive_timeout 60s;
    }}
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $http_host;
    proxy_set_header X-Request-ID $request_id;
    proxy_set_header X-Real-IP $remote_addr;
    proxy_set_header X-Forwarded-For $remote_addr;
    proxy_set_header X-Forwarded-Host $host;
    proxy_set_header X-Forwarded-Port $server_port;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Forwarded-Scheme $scheme;
    proxy_set_header X-Scheme $scheme;
    proxy_buffering off;
    proxy_buffer_size 4k;
    proxy_buffers 4 4k;
    proxy_connect_timeout 5s;
    proxy_read_timeout 60s;
    proxy_send_timeout 60s;
    proxy_next_upstream error timeout;
    proxy_next_upstream_tries 3;
    server {{
        listen 127.0.0.1:{http_port} default_server backlog=4096;
        listen 127.0.0.1:{https_port} ssl http2 default_server backlog=4096;
        server_name _;
{tls}
        return 404;
    }}
    server {{
        listen 127.0.0.1:{http_port};
        listen 127.0.0.1:{https_port} ssl http2;
        server_name {HOST};
{tls}
        location /static {{ proxy_pass http://static; }}
        location /api {{ proxy_pass http://static; }}
        location /upload {{
            client_max_body_size 0;
            proxy_request_buffering off;
            proxy_pass http://static;
        }}
    }}
    server {{
        listen 127.0.0.1:{http_port};
        listen 127.0.0.1:{https_port} ssl http2;
        server_name {ALT_HOST};
{tls}
        location / {{ proxy_pass http://static; }}
    }}
}}
""")
    return conf


def haproxy(root: Path, threads: int, http_port: int, https_port: int, pem: Path,
            ports: tuple[int, ...] = BACKEND_PORTS) -> Path:
    work = root / "haproxy"
    work.mkdir(parents=True, exist_ok=True)
    servers = "\n".join(f"    server b{index} 127.0.0.1:{port}" for index, port in enumerate(ports))
    conf = work / "haproxy.cfg"
    conf.write_text(f"""global
    nbthread {threads}
    maxconn 8000
    tune.ssl.default-dh-param 2048
    ssl-default-bind-options ssl-min-ver TLSv1.2

defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-request 60s
    timeout http-keep-alive 75s
    option http-keep-alive
    option forwardfor
    http-reuse always
    retries 3
    option redispatch 1

frontend bench
    bind 127.0.0.1:{http_port} backlog 4096
    bind 127.0.0.1:{https_port} ssl crt {pem} alpn h2,http/1.1 backlog 4096
    http-request set-header X-Real-IP %[src]
    http-request set-header X-Forwarded-Host %[req.hdr(host)]
    http-request set-header X-Forwarded-Port %[dst_port]
    http-request set-header X-Forwarded-Proto https if {{ ssl_fc }}
    http-request set-header X-Forwarded-Proto http if !{{ ssl_fc }}
    http-request set-header X-Request-ID %[uuid] unless {{ req.hdr(x-request-id) -m found }}
    acl host_bench req.hdr(host),field(1,:),lower -m str {HOST}
    acl host_other req.hdr(host),field(1,:),lower -m str {ALT_HOST}
    acl p_static path_beg /static
    acl p_api path_beg /api
    acl p_upload path_beg /upload
    use_backend static if host_bench p_static or host_bench p_api or host_bench p_upload or host_other
    default_backend notfound

backend static
    balance roundrobin
{servers}

backend notfound
    http-request return status 404
""")
    return conf


def caddyfile(root: Path, http_port: int, https_port: int, crt: Path, key: Path,
              ports: tuple[int, ...] = BACKEND_PORTS) -> Path:
    work = root / "caddy"
    work.mkdir(parents=True, exist_ok=True)
    upstreams = " ".join(f"127.0.0.1:{port}" for port in ports)
    routes = """	handle /static* {
		import proxy
	}
	handle /api* {
		import proxy
	}
	handle /upload* {
		import proxy
	}
	handle {
		respond 404
	}"""
    conf = work / "Caddyfile"
    conf.write_text(f"""{{
	admin off
	auto_https off
	servers {{
		protocols h1 h2
	}}
}}

(proxy) {{
	reverse_proxy {upstreams} {{
		lb_policy round_robin
		lb_try_duration 1s
		fail_duration 10s
		header_up X-Real-IP {{remote_host}}
		header_up X-Forwarded-Port {{http.request.port}}
		header_up X-Request-ID {{http.request.uuid}}
		transport http {{
			keepalive 60s
			keepalive_idle_conns 320
			keepalive_idle_conns_per_host 320
		}}
	}}
}}

http://{HOST}:{http_port} {{
	bind 127.0.0.1
{routes}
}}

https://{HOST}:{https_port} {{
	bind 127.0.0.1
	tls {crt} {key}
{routes}
}}

http://{ALT_HOST}:{http_port} {{
	bind 127.0.0.1
	import proxy
}}

https://{ALT_HOST}:{https_port} {{
	bind 127.0.0.1
	tls {crt} {key}
	import proxy
}}

http://:{http_port} {{
	bind 127.0.0.1
	respond 404
}}

https://:{https_port} {{
	bind 127.0.0.1
	tls {crt} {key}
	respond 404
}}
""")
    return conf
