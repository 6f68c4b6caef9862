using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.GrpcApi;

/// <summary>BatchRegisterEnterprises: a county's register in one call, each entry on its own.</summary>
[Collection(SharedCluster.Name)]
public sealed class BatchRegistrationTests(ClusterFixture fixture)
{
    private static readonly string s_town = TestData.TownsOf("370211", 1)[0];

    [Fact]
    public async Task A_batch_registers_every_entry_and_a_retry_returns_the_first_answers()
    {
        var batch = Batch(TestData.NewEnterprise(s_town, Sector.Chemicals), TestData.NewEnterprise(s_town, Sector.Construction), TestData.NewEnterprise(s_town, Sector.Gas));
        var response = await fixture.Enterprises.BatchRegisterEnterprisesAsync(batch);

        Assert.Equal(batch.Requests.Select(r => r.Enterprise.CreditCode), response.Enterprises.Select(e => e.CreditCode));
        foreach (var registered in response.Enterprises)
        {
            Assert.Equal(registered, await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = registered.Name }));
        }

        Assert.Equal(response, await fixture.Enterprises.BatchRegisterEnterprisesAsync(batch));
    }

    [Fact]
    public async Task A_refused_entry_is_named_by_its_place_and_the_others_stand()
    {
        var outside = TestData.NewEnterprise(s_town);
        outside.Town = "370211999";
        var good = TestData.NewEnterprise(s_town);
        var (code, field, _) = await ApiDriver.Refusal(() => fixture.Enterprises.BatchRegisterEnterprisesAsync(Batch(good, outside)).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "requests[1].enterprise.town"), (code, field));
        var refused = await Assert.ThrowsAsync<RpcException>(() => fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = $"enterprises/{outside.CreditCode}" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, refused.StatusCode);
        Assert.Equal(good.CreditCode, (await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = $"enterprises/{good.CreditCode}" })).CreditCode);

        // A malformed credit code is refused before anything is applied.
        var malformed = TestData.NewEnterprise(s_town);
        malformed.CreditCode = "91370211000000000X";
        var untouched = TestData.NewEnterprise(s_town);
        (code, field, _) = await ApiDriver.Refusal(() => fixture.Enterprises.BatchRegisterEnterprisesAsync(Batch(untouched, malformed)).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "requests[1].enterprise.credit_code"), (code, field));
        refused = await Assert.ThrowsAsync<RpcException>(() => fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = $"enterprises/{untouched.CreditCode}" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, refused.StatusCode);
    }

    private static BatchRegisterEnterprisesRequest Batch(params Api.V1.Enterprise[] enterprises)
    {
        var batch = new BatchRegisterEnterprisesRequest();
        batch.Requests.AddRange(enterprises.Select(e => new RegisterEnterpriseRequest { Enterprise = e, RequestId = TestData.NewRequestId() }));
        return batch;
    }
}
