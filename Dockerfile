# One image with the worker, the starter and the Okta stand-in; compose picks
# the command. Everything is pure Go (the embedded SQLite too), so the
# binaries are static.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/ \
      ./worker ./starter ./cmd/okta-standin

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ /usr/local/bin/
USER nonroot
ENTRYPOINT []
CMD ["worker"]
