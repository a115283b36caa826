# syntax=docker/dockerfile:1

# Build a static lms binary. The module download gets its own layer so that
# editing code does not fetch dependencies again.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/lms ./cmd/lms

# Run it on distroless/static: CA certificates and time zone data, no shell,
# no package manager, and a non-root user. Migrations, templates and the
# explorer's assets are embedded in the binary.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/lms /usr/local/bin/lms
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["lms"]
CMD ["serve"]
