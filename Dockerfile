# custos runtime image for CI systems that run containers, made from the self-contained
# archive (no Swift, no compiler, no -dev package in the image):
#   make dist && docker build -t custos:$(cat VERSION) .
#   docker run --rm -v "$PWD:/src:ro" custos:0.2.0 custos scan /src
# No ENTRYPOINT, so GitLab CI can run its job script in it (image: custos:0.2.0, script: custos git .).
FROM debian:12-slim

ARG VERSION=0.2.0
ARG ARCH=x86_64

LABEL org.opencontainers.image.title="custos" \
      org.opencontainers.image.description="Find leaked credentials and say who owns them" \
      org.opencontainers.image.version="${VERSION}"

# ADD unpacks a local tar archive: /opt/custos-VERSION-linux-ARCH/{bin,lib,share}. libgit2
# refuses a repository owned by another user (a checkout mounted at /src) unless safe.directory
# names it; Debian 12's libgit2 1.5 takes exact paths only, not `*` (for another mount point,
# add a `directory = PATH` line to /etc/gitconfig in a derived image).
ADD dist/out/custos-${VERSION}-linux-${ARCH}.tar.gz /opt/
RUN ln -s /opt/custos-${VERSION}-linux-${ARCH}/bin/custos /usr/local/bin/custos \
 && printf '[safe]\n\tdirectory = /src\n' > /etc/gitconfig \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/custos --create-home custos \
 && custos --version

# The compiled Vectorscan database is cached here; mount a volume to keep it across runs.
ENV CUSTOS_CACHE_DIR=/var/cache/custos
RUN install -d -m 1777 /var/cache/custos

# Runs as root by default, since CI systems mount the checkout owned by root and the reports are
# written into it; `docker run --user custos` (10001) for a read-only scan.
WORKDIR /src
CMD ["custos", "--help"]
