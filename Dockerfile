# syntax=docker/dockerfile:1
# Build: the same static binary `make build` makes (modernc.org/sqlite is pure Go, so no cgo).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/emulator ./cmd/emulator

# Run: a static, non-root image. Time-zone data is embedded in the binary (time/tzdata).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/emulator /emulator
USER nonroot:nonroot
EXPOSE 8080
ENV EMULATOR_ADDR=:8080
# distroless has no shell or curl: the binary checks its own health.
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=5 CMD ["/emulator", "healthcheck"]
ENTRYPOINT ["/emulator"]
