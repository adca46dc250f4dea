# syntax=docker/dockerfile:1
# Build: a static binary (cgo for SQLite), no shell needed at run time.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath \
      -tags 'sqlite_omit_load_extension netgo osusergo timetzdata' \
      -ldflags '-s -w -linkmode external -extldflags "-static"' \
      -o /out/worker ./cmd/worker \
 && mkdir -p /out/data

# Run: distroless (CA certificates, tzdata, a non-root user, no shell).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/worker /worker
COPY --from=build --chown=nonroot:nonroot /out/data /data
USER nonroot:nonroot
ENV WORKER_DATABASE=/data/worker.db
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/worker", "health", "--addr", "127.0.0.1:8080"]
ENTRYPOINT ["/worker"]
CMD ["serve", "--listen", ":8080"]
