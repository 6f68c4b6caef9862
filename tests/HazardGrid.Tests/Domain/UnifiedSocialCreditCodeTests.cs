using HazardGrid.Common;
using HazardGrid.Enterprises;
using Xunit;

namespace HazardGrid.Tests.Domain;

public sealed class UnifiedSocialCreditCodeTests
{
    [Theory]
    [InlineData("914403001922038216")]   // published codes of well-known companies
    [InlineData("9144030071526726XG")]
    [InlineData("91330100716105852F")]
    [InlineData("91110108551385082Q")]
    public void Real_codes_pass_the_GB_32100_check(string code) =>
        Assert.Equal(code, UnifiedSocialCreditCode.Validate(code.ToLowerInvariant(), "code"));

    [Theory]
    [InlineData("914403001922038217", "check character")]
    [InlineData("9144030071526726X", "18 characters")]
    [InlineData("9144030071526726XO", "do not use")]
    [InlineData("91AB030071526726XG", "division code")]
    [InlineData("", "required")]
    public void Bad_codes_are_refused_with_the_reason(string code, string reason)
    {
        var ex = Assert.Throws<DomainException>(() => UnifiedSocialCreditCode.Validate(code, "enterprise.credit_code"));
        Assert.Equal(DomainErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal("enterprise.credit_code", ex.Field);
        Assert.Contains(reason, ex.Reason);
    }

    [Fact]
    public void Every_single_character_change_of_a_valid_code_is_caught()
    {
        const string code = "914403001922038216";
        for (var i = 0; i < 18; i++)
        {
            foreach (var c in UnifiedSocialCreditCode.Alphabet.Where(c => c != code[i]))
            {
                var changed = code[..i] + c + code[(i + 1)..];
                Assert.False(UnifiedSocialCreditCode.IsValid(changed), changed);
            }
        }
    }
}
