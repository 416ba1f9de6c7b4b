# Build a static binary, then ship it alone on distroless as a non-root user.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/handoffbot .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/handoffbot /handoffbot
USER nonroot:nonroot
# Outside a container the endpoint defaults to loopback; here the health
# check, a published port and Kubernetes probes need every interface.
ENV HTTP_ADDR=:8080
EXPOSE 8080
# No shell or curl on distroless: the binary asks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["/handoffbot", "healthcheck"]
ENTRYPOINT ["/handoffbot"]
CMD ["serve"]
