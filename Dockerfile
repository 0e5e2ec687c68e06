# analysisd in a container: Debian 12 slim, the server as a non-root user,
# its data dir a volume.
#
#   docker build -t analysisd .
#   docker run -d --name analysisd -p 9950:9950 -v analysisd-data:/var/lib/analysisd \
#       --stop-timeout 35 analysisd
#   docker exec analysisd cat /var/lib/analysisd/admin-token   # the generated admin token
#
# At SIGTERM the server answers the requests in flight for up to 25 s, then
# writes a final snapshot: give `docker stop` (--stop-timeout, default 10 s)
# and Kubernetes (terminationGracePeriodSeconds, default 30 s) more than that.
# Options come as arguments after the image name (they replace the CMD
# below, so repeat --listen and --data-dir) or as ANALYSISD_* variables.

# -- build: the release preset, packaged as the .deb ----------------------------
FROM debian:12-slim AS build
COPY scripts/install-deps.sh /src/scripts/install-deps.sh
RUN /src/scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . /src
WORKDIR /src
RUN cmake --preset release -DANALYSISD_BUILD_BENCH=OFF \
 && cmake --build --preset release --target package \
 && cp build/release/analysisd_*.deb /analysisd.deb

# -- runtime: the .deb, with only the libraries it depends on -------------------
FROM debian:12-slim
# The user has a fixed, numeric id, so that USER below is numeric too
# (Kubernetes' runAsNonRoot can check only a numeric one), above the range
# Debian gives system users (100-999), so no package's user can take it.
ARG ANALYSISD_UID=10001
RUN groupadd --gid "$ANALYSISD_UID" analysisd \
 && useradd --uid "$ANALYSISD_UID" --gid analysisd --home-dir /var/lib/analysisd \
            --no-create-home --shell /usr/sbin/nologin analysisd
COPY --from=build /analysisd.deb /tmp/analysisd.deb
# apt resolves the package's Depends (the runtime libraries and adduser); its
# postinst finds the user and creates /var/lib/analysisd (0700, the user's).
# Without systemd in the container it neither enables nor starts a unit.
RUN apt-get update \
 && apt-get install -y --no-install-recommends /tmp/analysisd.deb \
 && rm -rf /var/lib/apt/lists/* /tmp/analysisd.deb
USER $ANALYSISD_UID:$ANALYSISD_UID
WORKDIR /var/lib/analysisd
VOLUME /var/lib/analysisd
EXPOSE 9950
# /healthz is 200 only while the server takes work (503 while it recovers or
# drains). No curl in the image: bash's /dev/tcp sends the request. It
# assumes the default port; change it with --listen.
HEALTHCHECK --interval=30s --timeout=5s --start-period=5m \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9950 && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/usr/bin/analysisd"]
CMD ["--listen", "0.0.0.0:9950", "--data-dir", "/var/lib/analysisd"]
