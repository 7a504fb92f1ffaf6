#!/usr/bin/env bash
# Creates the tutorial's TLS Secret `api-tls-secret` for api.example.com: a self-signed certificate made with
# openssl (ECDSA P-256, one year), written as the YAML `kubectl create secret tls api-tls-secret --cert=… --key=…
# --dry-run=client -o yaml` prints. The certificate is also kept as api.example.com.crt for `curl --cacert`.
set -euo pipefail
cd "$(dirname "$0")"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 \
  -subj "/CN=api.example.com" -addext "subjectAltName=DNS:api.example.com" \
  -keyout api.example.com.key -out api.example.com.crt 2>/dev/null
cat > api-tls-secret.yaml <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: api-tls-secret
type: kubernetes.io/tls
data:
  tls.crt: $(base64 -w0 api.example.com.crt)
  tls.key: $(base64 -w0 api.example.com.key)
YAML
echo "wrote $(pwd)/api-tls-secret.yaml (certificate: api.example.com.crt)"
