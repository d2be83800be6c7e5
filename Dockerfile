# syntax=docker/dockerfile:1
# One multi-stage build for both processes (used by docker-compose.yml):
#   docker build --target silo -t chatboost-silo .
#   docker build --target api  -t chatboost-api  .
# Configuration is by environment variables only (see docker-compose.yml).

ARG DOTNET_VERSION=10.0

# ---------------------------------------------------------------- build ----
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
WORKDIR /src
# Restore first, from the project files only, so the NuGet layer is cached.
# (Add the .csproj of any new project the silo or the API references here.)
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY ChatBoost.Common/ChatBoost.Common.csproj ChatBoost.Common/
COPY ChatBoost.Grains.Interfaces/ChatBoost.Grains.Interfaces.csproj ChatBoost.Grains.Interfaces/
COPY ChatBoost.Grains/ChatBoost.Grains.csproj ChatBoost.Grains/
COPY ChatBoost.Silo/ChatBoost.Silo.csproj ChatBoost.Silo/
COPY ChatBoost.Api/ChatBoost.Api.csproj ChatBoost.Api/
RUN dotnet restore ChatBoost.Silo/ChatBoost.Silo.csproj \
 && dotnet restore ChatBoost.Api/ChatBoost.Api.csproj
COPY . .

FROM build AS publish-silo
RUN dotnet publish ChatBoost.Silo/ChatBoost.Silo.csproj -c Release --no-restore -o /out/silo -p:UseAppHost=false

FROM build AS publish-api
RUN dotnet publish ChatBoost.Api/ChatBoost.Api.csproj -c Release --no-restore -o /out/api -p:UseAppHost=false

# ----------------------------------------------------------------- silo ----
# aspnet (not runtime) base: same layers as the API image, and safe if the silo
# ever references the ASP.NET Core shared framework.
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS silo
WORKDIR /app
COPY --from=publish-silo /out/silo ./
ENV ENVIRONMENT=production \
    DOTNET_ENVIRONMENT=Production \
    SILO_PORT=11111 \
    GATEWAY_PORT=30000
EXPOSE 11111 30000
# Orleans must advertise an address the other silos and the API can reach. If
# SILO_ADVERTISED_IP is not set, use this container's own IP (what its hostname
# resolves to on the compose network) rather than the process default 127.0.0.1.
RUN printf '%s\n' '#!/bin/sh' 'set -e' \
      'if [ -z "${SILO_ADVERTISED_IP:-}" ]; then' \
      '  SILO_ADVERTISED_IP=$(getent ahostsv4 "$(cat /etc/hostname)" | awk "NR==1 {print \$1}")' \
      '  export SILO_ADVERTISED_IP' \
      'fi' \
      'exec dotnet /app/ChatBoost.Silo.dll "$@"' > /app/entrypoint.sh \
 && chmod 755 /app/entrypoint.sh
USER $APP_UID
# Healthy once the client gateway accepts TCP connections (the silo has joined).
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=6 \
    CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/${GATEWAY_PORT:-30000}' || exit 1
ENTRYPOINT ["/app/entrypoint.sh"]

# ------------------------------------------------------------------ api ----
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS api
WORKDIR /app
COPY --from=publish-api /out/api ./
ENV ENVIRONMENT=production \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_ENVIRONMENT=Production \
    ASPNETCORE_URLS=http://0.0.0.0:8080
EXPOSE 8080
USER $APP_UID
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=6 \
    CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080 && printf "GET /health/live HTTP/1.0\r\nHost: localhost\r\n\r\n" >&3 && head -n 1 <&3 | grep -q " 200 "' || exit 1
ENTRYPOINT ["dotnet", "/app/ChatBoost.Api.dll"]
