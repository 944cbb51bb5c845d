# The shipgate worker: Node 24 plus the tools activities drive (regctl, cosign, helm), built from source.
FROM golang:1.25-bookworm AS tools
RUN GOFLAGS=-trimpath go install github.com/regclient/regclient/cmd/regctl@v0.11.5 \
 && GOFLAGS=-trimpath go install github.com/sigstore/cosign/v3/cmd/cosign@v3.1.2 \
 && GOFLAGS=-trimpath go install helm.sh/helm/v3/cmd/helm@v3.21.4

FROM node:24.11-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-save --omit=dev --no-fund --no-audit
COPY bin ./bin
COPY src ./src
COPY --from=tools /go/bin/regctl /go/bin/cosign /go/bin/helm /usr/local/bin/
ENV NODE_ENV=production
USER node
ENTRYPOINT ["node", "--disable-warning=ExperimentalWarning", "src/cli/main.ts"]
CMD ["worker"]
