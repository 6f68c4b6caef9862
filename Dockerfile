# The one HazardGrid image (deploy/k8s calls it `hazardgrid`): the published silo and gateway,
# each in its own folder with its own appsettings.json, run by the aspnet runtime as the
# non-root user `app` (UID 1654).
#
#   docker build -t registry.example.com/hazardgrid:1.0 .
#   docker run -p 5100:5100 -p 5101:5101 registry.example.com/hazardgrid:1.0       # embedded silo
#   docker run registry.example.com/hazardgrid:1.0 dotnet /app/gateway/HazardGrid.Gateway.dll
#
# tests/HazardGrid.Tests/Deployment/ContainerImageTests.cs runs this file's dotnet commands and
# starts both entry points from their output.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore on the build files alone, so a code change does not download the packages again.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Grains.Abstractions/HazardGrid.Grains.Abstractions.csproj src/Grains.Abstractions/
COPY src/Grains/HazardGrid.Grains.csproj src/Grains/
COPY src/Gateway/HazardGrid.Gateway.csproj src/Gateway/
COPY src/Silo/HazardGrid.Silo.csproj src/Silo/
RUN dotnet restore src/Silo/HazardGrid.Silo.csproj
COPY src/ src/
# The silo references the gateway project, whose appsettings.json would collide with the silo's
# own (NETSDK1152); with the check off the silo's own file is published, as the tests check.
RUN dotnet publish src/Silo/HazardGrid.Silo.csproj -c Release --no-restore -o /out/silo -p:ErrorOnDuplicatePublishOutputFiles=false \
 && dotnet publish src/Gateway/HazardGrid.Gateway.csproj -c Release --no-restore -o /out/gateway

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /out/silo /app/silo
COPY --from=build /out/gateway /app/gateway
# Embedded mode keeps its SQLite file here (mount a volume to keep it); PostgreSQL mode uses none.
RUN mkdir -p /var/lib/hazardgrid && chown 1654:1654 /var/lib/hazardgrid
ENV HazardGrid__DataDirectory=/var/lib/hazardgrid \
    HazardGrid__Endpoints__ListenOnAnyAddress=true
# gRPC and HTTP of a silo (5100, 5101) and of a gateway (5200, 5201); Orleans silo and gateway ports.
EXPOSE 5100 5101 5200 5201 11111 30000
USER 1654
CMD ["dotnet", "/app/silo/HazardGrid.Silo.dll"]
