# The shipgate worker: Node 24 plus the tools activities drive (regctl copies, cosign verifies), and crane for
# smoke commands that look at the release by digest; all built from source with pinned versions (the same as
# scripts/setup). The Go image must be at least the newest `go` line of the tools' go.mod files (cosign v3.1.2 needs
# 1.26): official Go images set GOTOOLCHAIN=local and will not fetch a newer toolchain (test/unit/versions.test.ts).
FROM golang:1.26-bookworm AS tools
RUN GOFLAGS=-trimpath go install github.com/regclient/regclient/cmd/regctl@v0.11.5 \
 && GOFLAGS=-trimpath go install github.com/sigstore/cosign/v3/cmd/cosign@v3.1.2 \
 && GOFLAGS=-trimpath go install github.com/google/go-containerregistry/cmd/crane@v0.21.9

FROM node:24.11-bookworm-slim
# procps: pgrep for the compose healthcheck (the slim image has none); openssh-client: ssh-keygen -Y verify,
# which checks SSH-signed decisions.
RUN apt-get update && apt-get install -y --no-install-recommends procps openssh-client && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-save --omit=dev --no-fund --no-audit
COPY bin ./bin
COPY src ./src
# The workflow bundle, built once here: workers load it instead of bundling at start (src/worker/workflow-bundle.ts).
RUN node --disable-warning=ExperimentalWarning src/worker/bundle-workflows.ts
COPY --from=tools /go/bin/regctl /go/bin/cosign /go/bin/crane /usr/local/bin/
ENV NODE_ENV=production
USER node
ENTRYPOINT ["node", "--disable-warning=ExperimentalWarning", "src/cli/main.ts"]
CMD ["worker"]
