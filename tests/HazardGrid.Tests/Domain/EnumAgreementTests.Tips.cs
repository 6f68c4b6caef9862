using HazardGrid.Gateway.Services;
using Xunit;

namespace HazardGrid.Tests.Domain;

/// <summary>The rewarded tips' enums (TipService).</summary>
public sealed partial class EnumAgreementTests
{
    [Fact]
    public void Tip_channels_agree() => AssertAgree<HazardGrid.Tips.TipChannel, Api.V1.TipChannel>(TipApi.ToApi, byNumber: true);

    [Fact]
    public void Tip_statuses_agree_with_tip_states() => AssertAgree<HazardGrid.Tips.TipStatus, Api.V1.TipState>(TipApi.ToApi, byNumber: true);

    [Fact]
    public void Tip_findings_agree() => AssertAgree<HazardGrid.Tips.TipFinding, Api.V1.TipFinding>(TipApi.ToApi, byNumber: true);
}
