"""Writes the scale fixture as manifest files: the same shape as bench/scale/Sources/ScaleFixtures (n Ingresses, an
exact host with four paths and a wildcard host each, a Service and EndpointSlice each, a TLS host with its Secret
every tenth), 100 Ingresses per file unless told otherwise. The endpoints point at `port` on 127.0.0.1 (the bench backend)."""

from __future__ import annotations

import base64
from pathlib import Path

PER_FILE = 100


def host(index: int) -> str:
    return f"app-{index}.team-{index % 20}.example.com"


def manifest(index: int, crt_b64: str, key_b64: str, extra_path: str | None = None, port: int = 19001) -> str:
    namespace, name, tls = f"team-{index % 20}", f"app-{index}", index % 10 == 0

    def path(p: str, kind: str) -> str:
        return (f"      - path: {p}\n        pathType: {kind}\n        backend:\n          service:\n"
                f"            name: {name}\n            port:\n              number: 80\n")

    text = (f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
            f"spec:\n  ingressClassName: gatehouse\n")
    if tls:
        text += f"  tls:\n  - hosts: [{host(index)}]\n    secretName: {name}-tls\n"
    text += f"  rules:\n  - host: {host(index)}\n    http:\n      paths:\n"
    text += path("/api", "Prefix") + path("/api/v2", "Prefix") + path("/static", "Prefix") + path("/healthz", "Exact")
    if extra_path:
        text += path(extra_path, "Prefix")
    text += f"  - host: \"*.{host(index)}\"\n    http:\n      paths:\n" + path("/", "Prefix")
    text += (f"---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n"
             f"  selector:\n    app: {name}\n  ports:\n  - name: http\n    port: 80\n    targetPort: 8080\n")
    text += (f"---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: {name}-abcde\n"
             f"  namespace: {namespace}\n  labels:\n    kubernetes.io/service-name: {name}\naddressType: IPv4\n"
             f"ports:\n- name: http\n  port: {port}\n  protocol: TCP\nendpoints:\n"
             f"- addresses: [\"127.0.0.1\"]\n  conditions:\n    ready: true\n"
             f"- addresses: [\"127.0.0.1\"]\n  conditions:\n    ready: false\n")
    if tls:
        text += (f"---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}-tls\n  namespace: {namespace}\n"
                 f"type: kubernetes.io/tls\ndata:\n  tls.crt: {crt_b64}\n  tls.key: {key_b64}\n")
    return text


def file_text(file_index: int, count: int, crt_b64: str, key_b64: str, extra: dict[int, str] | None = None,
              port: int = 19001, per_file: int = PER_FILE) -> str:
    start, end = file_index * per_file, min(count, (file_index + 1) * per_file)
    return "---\n".join(manifest(i, crt_b64, key_b64, (extra or {}).get(i), port) for i in range(start, end))


def write(directory: Path, count: int, crt: Path, key: Path, port: int = 19001, per_file: int = PER_FILE) -> tuple[str, str]:
    directory.mkdir(parents=True, exist_ok=True)
    crt_b64 = base64.b64encode(crt.read_bytes()).decode()
    key_b64 = base64.b64encode(key.read_bytes()).decode()
    (directory / "class.yaml").write_text(
        "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: gatehouse\nspec:\n"
        "  controller: gatehouse.dev/ingress-controller\n")
    for file_index in range((count + per_file - 1) // per_file):
        (directory / f"ingresses-{file_index}.yaml").write_text(
            file_text(file_index, count, crt_b64, key_b64, port=port, per_file=per_file))
    return crt_b64, key_b64
