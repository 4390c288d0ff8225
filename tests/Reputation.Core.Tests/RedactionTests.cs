using Reputation.Core.Privacy;

namespace Reputation.Core.Tests;

public sealed class RedactionTests
{
    [Theory]
    [InlineData("alice", "X")]
    [InlineData("account:alice", "account:X")]
    [InlineData("deny-list:account:alice", "deny-list:account:X")]
    [InlineData("alice resold keys; alice again", "X resold keys; X again")]
    [InlineData("alice2 and malice and alice.b and alice-x", "alice2 and malice and alice.b and alice-x")]
    [InlineData("", "")]
    public void An_id_is_replaced_where_it_stands_as_a_whole_token_and_nowhere_else(string text, string expected)
    {
        Assert.Equal(expected, Redaction.Text(text, "alice", "X"));
    }

    [Fact]
    public void Text_without_the_id_is_the_same_instance()
    {
        var text = "nothing to see";

        Assert.Same(text, Redaction.Text(text, "alice", "X"));
    }

    [Fact]
    public void Json_string_values_are_redacted_at_any_depth_and_property_names_and_other_values_kept()
    {
        const string json = """{"entityId":"alice","alice":1,"list":["alice","bob",{"reason":"alice lied"}],"n":2,"ok":true}""";

        var redacted = Redaction.Json(json, "alice", "erased-1");

        Assert.Equal("""{"entityId":"erased-1","alice":1,"list":["erased-1","bob",{"reason":"erased-1 lied"}],"n":2,"ok":true}""", redacted);
    }

    [Fact]
    public void Json_that_does_not_name_the_id_keeps_its_exact_text()
    {
        const string json = """{ "entityId" : "alice2",  "n": 1.50 }""";

        Assert.Same(json, Redaction.Json(json, "alice", "X"));
    }

    [Fact]
    public void An_account_pseudonym_is_stable_per_key_and_differs_between_keys_and_ids()
    {
        var key = new byte[32];
        var other = Enumerable.Repeat((byte)7, 32).ToArray();
        var a = new AccountPseudonym(key);

        Assert.Equal(a.Of("alice"), new AccountPseudonym(key).Of("alice"));
        Assert.NotEqual(a.Of("alice"), a.Of("alice2"));
        Assert.NotEqual(a.Of("alice"), new AccountPseudonym(other).Of("alice"));
        Assert.Matches("^erased-[0-9a-f]{32}$", a.Of("alice"));
        Assert.DoesNotContain("alice", a.Of("alice"), StringComparison.Ordinal);
    }
}
