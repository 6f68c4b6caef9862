using System.Security.Cryptography;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HazardGrid.Api.V1;
using Npgsql;
using Catalog = HazardGrid.Regions;

namespace HazardGrid.Conventional;

/// <summary>RegisterEnterprise and BatchRegisterEnterprises: one transaction per enterprise.</summary>
public sealed class EnterpriseApi(NpgsqlDataSource data, Catalog.RegionCatalog regions) : EnterpriseService.EnterpriseServiceBase
{
    public override Task<Enterprise> RegisterEnterprise(RegisterEnterpriseRequest request, ServerCallContext context) =>
        Register(request, "", context.CancellationToken);

    public override async Task<BatchRegisterEnterprisesResponse> BatchRegisterEnterprises(BatchRegisterEnterprisesRequest request, ServerCallContext context)
    {
        if (request.Requests.Count > 500)
        {
            throw Store.Error(StatusCode.InvalidArgument, "requests", "at most 500 entries per call");
        }

        var response = new BatchRegisterEnterprisesResponse();
        for (var i = 0; i < request.Requests.Count; i++)
        {
            response.Enterprises.Add(await Register(request.Requests[i], $"requests[{i}].", context.CancellationToken));
        }

        return response;
    }

    private async Task<Enterprise> Register(RegisterEnterpriseRequest request, string prefix, CancellationToken cancellationToken)
    {
        var e = request.Enterprise ?? throw Store.Error(StatusCode.InvalidArgument, prefix + "enterprise", "is required");
        var code = e.CreditCode.Trim().ToUpperInvariant();
        if (!Enterprises.UnifiedSocialCreditCode.IsValid(code))
        {
            throw Store.Error(StatusCode.InvalidArgument, prefix + "enterprise.credit_code", "is not a valid Unified Social Credit Code");
        }

        if (!regions.TryGet(e.Town, out var town) || town.Level != Catalog.RegionLevel.Town)
        {
            throw Store.Error(StatusCode.InvalidArgument, prefix + "enterprise.town", $"'{e.Town}' is not a town of the region catalog");
        }

        var sectors = e.Sectors.Distinct().Order().ToArray();
        if (sectors.Length == 0 || sectors.Any(s => !System.Enum.IsDefined(s) || s == Sector.Unspecified))
        {
            throw Store.Error(StatusCode.InvalidArgument, prefix + "enterprise.sectors", "at least one known sector is required");
        }

        var displayName = Text.Required(e.DisplayName, prefix + "enterprise.display_name", 200);
        var principal = Text.Required(e.Principal?.Name, prefix + "enterprise.principal.name", 64);
        var controller = Text.Required(e.ActualController?.Name, prefix + "enterprise.actual_controller.name", 64);
        var requestId = Text.Required(request.RequestId, prefix + "request_id", 64);
        var fingerprint = SHA256.HashData(e.ToByteArray());

        return await Store.InTransaction(data, async connection =>
        {
            if (await Requests.Find(connection, "enterprise", code, requestId, fingerprint, prefix) is { } earlier)
            {
                return Enterprise.Parser.ParseFrom(earlier);
            }

            DateTime? registeredAt = null;
            await using (var existing = Store.Command(connection, "SELECT town, last_hazard_number, registered_at FROM enterprises WHERE credit_code = $1 FOR UPDATE", code))
            await using (var reader = await existing.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken))
                {
                    if (reader.GetString(0) != town.Code && reader.GetInt32(1) > 0)
                    {
                        throw Store.Error(StatusCode.FailedPrecondition, prefix + "enterprise.town", $"the enterprise has hazard records counted in town {reader.GetString(0)}; moving it is not supported");
                    }

                    registeredAt = reader.GetDateTime(2);
                }
            }

            var now = DateTime.UtcNow;
            await using (var upsert = Store.Command(connection, """
                INSERT INTO enterprises (credit_code, display_name, town, sectors, principal, principal_phone, actual_controller, actual_controller_phone, safety_director, registered_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
                ON CONFLICT (credit_code) DO UPDATE SET display_name = $2, town = $3, sectors = $4, principal = $5, principal_phone = $6,
                    actual_controller = $7, actual_controller_phone = $8, safety_director = $9, updated_at = $10
                """, code, displayName, town.Code, sectors.Select(s => (int)s).ToArray(), principal, e.Principal!.Phone, controller, e.ActualController!.Phone, e.SafetyDirector?.Name, now))
            {
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }

            var result = new Enterprise
            {
                Name = "enterprises/" + code, CreditCode = code, DisplayName = displayName, Town = town.Code,
                Principal = e.Principal, ActualController = e.ActualController, SafetyDirector = e.SafetyDirector,
                Figures = new HazardFigures(),
                RegisterTime = Timestamp.FromDateTime(registeredAt ?? now), UpdateTime = Timestamp.FromDateTime(now),
            };
            result.Sectors.Add(sectors);
            await Requests.Remember(connection, "enterprise", code, requestId, fingerprint, result);
            return result;
        }, cancellationToken);
    }
}

/// <summary>ReportHazard: enterprise, request id, open finding, insert, four counter rows; one transaction.</summary>
public sealed class HazardApi(NpgsqlDataSource data, Catalog.RegionCatalog regions) : HazardService.HazardServiceBase
{
    private static readonly DateTime StockCutoff = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)).UtcDateTime;

    public override async Task<ReportHazardResponse> ReportHazard(ReportHazardRequest request, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var code = request.Parent.StartsWith("enterprises/", StringComparison.Ordinal) ? request.Parent["enterprises/".Length..].ToUpperInvariant() : "";
        if (!Enterprises.UnifiedSocialCreditCode.IsValid(code))
        {
            throw Store.Error(StatusCode.InvalidArgument, "parent", "must be enterprises/{credit_code}");
        }

        var h = request.Hazard ?? throw Store.Error(StatusCode.InvalidArgument, "hazard", "is required");
        if (h.Channel == ReportChannel.Unspecified || !System.Enum.IsDefined(h.Channel))
        {
            throw Store.Error(StatusCode.InvalidArgument, "hazard.channel", "is required: a report channel");
        }

        if (h.Sector == Sector.Unspecified || !System.Enum.IsDefined(h.Sector))
        {
            throw Store.Error(StatusCode.InvalidArgument, "hazard.sector", "is required: a sector");
        }

        var now = DateTime.UtcNow;
        var foundAt = h.FoundTime?.ToDateTime() ?? throw Store.Error(StatusCode.InvalidArgument, "hazard.found_time", "is required");
        if (foundAt > now.AddMinutes(5) || foundAt.Year < 2000)
        {
            throw Store.Error(StatusCode.InvalidArgument, "hazard.found_time", "lies in the future or before 2000");
        }

        if (!System.Enum.IsDefined(h.FoundByLevel))
        {
            throw Store.Error(StatusCode.InvalidArgument, "hazard.found_by_level", "is not a known supervision level");
        }

        var criterion = Text.Required(h.Criterion, "hazard.criterion", 64);
        var location = Text.Required(h.Location, "hazard.location", 200);
        var description = Text.Required(h.Description, "hazard.description", 2000, multiLine: true);
        var requestId = Text.Required(request.RequestId, "request_id", 64);
        var findingKey = $"{Text.Fold(criterion)}|{Text.Fold(location)}";
        var level = h.Channel is ReportChannel.SelfReport or ReportChannel.VerifiedTip || h.FoundByLevel == SupervisionLevel.Unspecified
            ? SupervisionLevel.County
            : h.FoundByLevel;
        var fingerprint = SHA256.HashData(h.ToByteArray());

        return await Store.InTransaction(data, async connection =>
        {
            // The enterprise's row lock orders its reports: numbering and the open-finding check hold.
            string enterpriseName, townCode;
            int lastNumber;
            int[] sectors;
            await using (var enterprise = Store.Command(connection, "SELECT display_name, town, sectors, last_hazard_number FROM enterprises WHERE credit_code = $1 FOR UPDATE", code))
            await using (var reader = await enterprise.ExecuteReaderAsync(cancellationToken))
            {
                if (!await reader.ReadAsync(cancellationToken))
                {
                    throw Store.Error(StatusCode.NotFound, "parent", $"enterprise {code} is not registered");
                }

                (enterpriseName, townCode, sectors, lastNumber) = (reader.GetString(0), reader.GetString(1), reader.GetFieldValue<int[]>(2), reader.GetInt32(3));
            }

            if (await Requests.Find(connection, "hazard", code, requestId, fingerprint, "") is { } earlier)
            {
                return ReportHazardResponse.Parser.ParseFrom(earlier);
            }

            if (!sectors.Contains((int)h.Sector))
            {
                throw Store.Error(StatusCode.FailedPrecondition, "hazard.sector", $"enterprise {code} is not registered in sector {h.Sector}");
            }

            ReportHazardResponse response;
            await using (var open = Store.Command(connection, """
                UPDATE hazards SET channels = CASE WHEN $3 = ANY(channels) THEN channels ELSE channels || $3 END, version = version + 1, updated_at = $4
                WHERE credit_code = $1 AND number = (SELECT number FROM hazards WHERE credit_code = $1 AND finding_key = $2 AND state IN (1, 2, 3) LIMIT 1)
                RETURNING *
                """, code, findingKey, (int)h.Channel, now))
            await using (var reader = await open.ExecuteReaderAsync(cancellationToken))
            {
                response = await reader.ReadAsync(cancellationToken) ? new ReportHazardResponse { Hazard = Read(reader, enterpriseName), Created = false } : null!;
            }

            if (response is null)
            {
                var number = lastNumber + 1;
                await using (var numbering = Store.Command(connection, "UPDATE enterprises SET last_hazard_number = $2 WHERE credit_code = $1", code, number))
                {
                    await numbering.ExecuteNonQueryAsync(cancellationToken);
                }

                await using (var insert = Store.Command(connection, """
                    INSERT INTO hazards (credit_code, number, version, town, sector, channels, criterion, location, finding_key, description, found_at, registered_at, updated_at, state, supervision_level)
                    VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, 1, $12)
                    RETURNING *
                    """, code, number, townCode, (int)h.Sector, new[] { (int)h.Channel }, criterion, location, findingKey, description, foundAt, now, (int)level))
                await using (var reader = await insert.ExecuteReaderAsync(cancellationToken))
                {
                    await reader.ReadAsync(cancellationToken);
                    response = new ReportHazardResponse { Hazard = Read(reader, enterpriseName), Created = true };
                }

                // Town, county, city, province: always in this order, so that reports never deadlock;
                // last in the transaction, since the province row's lock is held until the commit.
                await Requests.Remember(connection, "hazard", code, requestId, fingerprint, response);
                var stock = foundAt < StockCutoff ? 1 : 0;
                await using var counters = Store.Command(connection, """
                    INSERT INTO region_counters AS c (region, open, registered, open_stock, open_increment, at_county_level, at_city_level, at_province_level)
                    SELECT region, 1, 1, $2, 1 - $2, $3, $4, $5 FROM unnest($1::text[]) WITH ORDINALITY AS r(region, n) ORDER BY n
                    ON CONFLICT (region) DO UPDATE SET open = c.open + 1, registered = c.registered + 1, open_stock = c.open_stock + $2,
                        open_increment = c.open_increment + 1 - $2, at_county_level = c.at_county_level + $3,
                        at_city_level = c.at_city_level + $4, at_province_level = c.at_province_level + $5
                    """, regions.SelfAndAncestors(townCode).Select(r => r.Code).ToArray(), stock,
                    level == SupervisionLevel.County ? 1 : 0, level == SupervisionLevel.City ? 1 : 0, level == SupervisionLevel.Province ? 1 : 0);
                await counters.ExecuteNonQueryAsync(cancellationToken);
                return response;
            }

            await Requests.Remember(connection, "hazard", code, requestId, fingerprint, response);
            return response;
        }, cancellationToken);
    }

    private static Hazard Read(NpgsqlDataReader row, string enterpriseName)
    {
        var foundAt = row.GetDateTime(row.GetOrdinal("found_at"));
        var hazard = new Hazard
        {
            Name = $"enterprises/{row.GetString(row.GetOrdinal("credit_code"))}/hazards/{row.GetInt32(row.GetOrdinal("number"))}",
            Version = row.GetInt64(row.GetOrdinal("version")),
            EnterpriseDisplayName = enterpriseName,
            Town = row.GetString(row.GetOrdinal("town")),
            Sector = (Sector)row.GetInt32(row.GetOrdinal("sector")),
            Criterion = row.GetString(row.GetOrdinal("criterion")),
            Location = row.GetString(row.GetOrdinal("location")),
            Description = row.GetString(row.GetOrdinal("description")),
            FoundTime = Timestamp.FromDateTime(foundAt),
            RegisterTime = Timestamp.FromDateTime(row.GetDateTime(row.GetOrdinal("registered_at"))),
            UpdateTime = Timestamp.FromDateTime(row.GetDateTime(row.GetOrdinal("updated_at"))),
            State = (HazardState)row.GetInt32(row.GetOrdinal("state")),
            SupervisionLevel = (SupervisionLevel)row.GetInt32(row.GetOrdinal("supervision_level")),
            Stock = foundAt < StockCutoff,
        };
        hazard.Channels.Add(row.GetFieldValue<int[]>(row.GetOrdinal("channels")).Select(c => (ReportChannel)c));
        return hazard;
    }
}

/// <summary>GetRegionStatus: the region's counter row (zeros before its first hazard).</summary>
public sealed class RegionApi(NpgsqlDataSource data, Catalog.RegionCatalog regions) : RegionService.RegionServiceBase
{
    public override async Task<RegionStatus> GetRegionStatus(GetRegionStatusRequest request, ServerCallContext context)
    {
        var code = request.Name.StartsWith("regions/", StringComparison.Ordinal) ? request.Name["regions/".Length..] : "";
        if (!regions.TryGet(code, out var region))
        {
            throw Store.Error(StatusCode.NotFound, "name", $"no region '{request.Name}'");
        }

        var figures = new HazardFigures();
        await using (var command = data.CreateCommand(
            "SELECT open, registered, open_stock, open_increment, at_county_level, at_city_level, at_province_level FROM region_counters WHERE region = $1"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = code });
            await using var reader = await command.ExecuteReaderAsync(context.CancellationToken);
            if (await reader.ReadAsync(context.CancellationToken))
            {
                figures.Open = reader.GetInt32(0);
                figures.Registered = reader.GetInt32(1);
                figures.OpenStock = reader.GetInt32(2);
                figures.OpenIncrement = reader.GetInt32(3);
                figures.AtCountyLevel = reader.GetInt32(4);
                figures.AtCityLevel = reader.GetInt32(5);
                figures.AtProvinceLevel = reader.GetInt32(6);
            }
        }

        return new RegionStatus
        {
            Name = "regions/" + region.Code,
            DisplayName = region.Name,
            Level = region.Level switch
            {
                Catalog.RegionLevel.Province => RegionLevel.Province,
                Catalog.RegionLevel.City => RegionLevel.City,
                Catalog.RegionLevel.County => RegionLevel.County,
                _ => RegionLevel.Town,
            },
            Parent = region.ParentCode is null ? "" : "regions/" + region.ParentCode,
            Figures = figures,
            AsOf = Timestamp.FromDateTime(DateTime.UtcNow),
        };
    }
}

/// <summary>The first answer to each request id.</summary>
internal static class Requests
{
    public static async Task<byte[]?> Find(NpgsqlConnection connection, string kind, string code, string requestId, byte[] fingerprint, string prefix)
    {
        await using var command = Store.Command(connection, "SELECT fingerprint, response FROM requests WHERE kind = $1 AND credit_code = $2 AND request_id = $3", kind, code, requestId);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return null;
        }

        if (!reader.GetFieldValue<byte[]>(0).AsSpan().SequenceEqual(fingerprint))
        {
            throw Store.Error(StatusCode.InvalidArgument, prefix + "request_id", $"'{requestId}' was already used for a different request");
        }

        return reader.GetFieldValue<byte[]>(1);
    }

    public static async Task Remember(NpgsqlConnection connection, string kind, string code, string requestId, byte[] fingerprint, IMessage response)
    {
        await using var command = Store.Command(connection, "INSERT INTO requests (kind, credit_code, request_id, fingerprint, response) VALUES ($1, $2, $3, $4, $5)",
            kind, code, requestId, fingerprint, response.ToByteArray());
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>Text fields as the proto documents them: required, trimmed, bounded, single line unless said.</summary>
internal static class Text
{
    public static string Required(string? value, string field, int maxLength, bool multiLine = false)
    {
        var text = value?.Trim() ?? "";
        if (text.Length == 0)
        {
            throw Store.Error(StatusCode.InvalidArgument, field, "is required");
        }

        if (text.Length > maxLength || (!multiLine && text.AsSpan().IndexOfAny('\r', '\n') >= 0))
        {
            throw Store.Error(StatusCode.InvalidArgument, field, $"at most {maxLength} characters{(multiLine ? "" : ", one line")}");
        }

        return text;
    }

    /// <summary>Case and spacing folded: two reports of the same criterion and location are one finding.</summary>
    public static string Fold(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();
}
