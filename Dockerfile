# Reputation.Api image: ASP.NET Core co-hosting an Orleans silo.
#   docker build -t reputation:1.0.0 .
# Build stage: the SDK restores and publishes the API and the projects it references.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
# Project files first, so the restore layer is reused until a reference changes.
COPY src/Reputation.Api/Reputation.Api.csproj src/Reputation.Api/
COPY src/Reputation.Contracts/Reputation.Contracts.csproj src/Reputation.Contracts/
COPY src/Reputation.Core/Reputation.Core.csproj src/Reputation.Core/
COPY src/Reputation.Grains/Reputation.Grains.csproj src/Reputation.Grains/
COPY src/Reputation.Storage/Reputation.Storage.csproj src/Reputation.Storage/
RUN dotnet restore src/Reputation.Api/Reputation.Api.csproj
COPY src/ src/
# The investigation console's libraries (Cytoscape.js, fcose, uPlot) come with the build context:
# this stage has no npm and needs no network for them. scripts/lib.sh (ensure_console_vendor; run by
# ./run.sh, ./test.sh and scripts/check-image.sh) puts them in src/Reputation.Api/console/vendor
# (git-ignored) from the versions pinned in tools/console. Without them the image would serve a
# console without its graph and charts, so the build stops and says what to run.
RUN test -f src/Reputation.Api/console/vendor/VERSIONS.txt || { echo "src/Reputation.Api/console/vendor is missing: run bash -c 'source scripts/lib.sh && ensure_console_vendor' before building the image" >&2; exit 1; }
RUN dotnet publish src/Reputation.Api -c Release --no-restore -o /app

# Runtime stage: the ASP.NET Core runtime only, running as the image's non-root "app" user.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# Without a URL the service listens on 127.0.0.1:5080 (its local default), unreachable from
# outside the container; HTTP_PORTS is cleared so URLS is the only listener setting.
ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
    ASPNETCORE_HTTP_PORTS= \
    ASPNETCORE_ENVIRONMENT=Production
USER $APP_UID
# HTTP, Orleans silo-to-silo, Orleans gateway.
EXPOSE 8080 11111 30000
ENTRYPOINT ["dotnet", "Reputation.Api.dll"]
