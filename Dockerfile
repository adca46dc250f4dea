# syntax=docker/dockerfile:1
# Base images are pinned by digest (the tag is kept for readers). To move
# them on: `crane digest golang:1.26-bookworm` and
# `crane digest gcr.io/distroless/static-debian12:nonroot`, then replace both.
# Build: a static binary (cgo for SQLite), no shell needed at run time.
FROM golang:1.26-bookworm@sha256:a688600ca24f8a4d3ca77f95b0dd40704a9fc787c826660eb7ba0b641b8b175d AS build
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
FROM gcr.io/distroless/static-debian12:nonroot@sha256:afa5c872c891853ca7fcf1f12c3edb23f7eeef36189728842dd51042ff57f7ab
COPY --from=build /out/worker /worker
COPY --from=build --chown=nonroot:nonroot /out/data /data
USER nonroot:nonroot
ENV WORKER_DATABASE=/data/worker.db
VOLUME ["/data"]
EXPOSE 8080
# worker health asks the address serve records beside its database
# (/data/worker.db.listen), so it follows whatever --listen the container runs with.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/worker", "health"]
ENTRYPOINT ["/worker"]
CMD ["serve", "--listen", ":8080"]
