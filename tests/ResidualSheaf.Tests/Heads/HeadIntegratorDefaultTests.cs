using System.Text.Json;
using ResidualSheaf.Runner.Config;

namespace ResidualSheaf.Tests.Heads;

/// <summary>
/// A sigmoid or softmax head makes Rodas4 (which gets the head's exact Jacobian) the default integrator; DP5 was the default and
/// crept for ~1e5 time units on a softmax classifier. An integrator the config names is kept, and identity heads keep DP5.
/// </summary>
public class HeadIntegratorDefaultTests
{
    private static RunConfig Parse(string network, string heat) =>
        RunConfig.Parse(JsonDocument.Parse($$"""{ "name": "t", "job": "heat", "network": {{network}}, "heat": {{heat}} }""").RootElement, Path.GetTempPath());

    private const string Softmax = """{ "kind": "mlp", "widths": [3, 4, 3], "head": "softmax" }""";

    [Fact]
    public void AHeadDefaultsToRodas4()
    {
        var cfg = Parse(Softmax, "{}");
        Assert.Equal("rodas4", cfg.Heat!.Integrator);
        Assert.Equal("rodas4", cfg.Heat.ToJson()["integrator"]!.ToString());
    }

    [Fact]
    public void AnIntegratorTheConfigNamesIsKept() =>
        Assert.Equal("dp5", Parse(Softmax, """{ "integrator": "dp5" }""").Heat!.Integrator);

    [Fact]
    public void AnIdentityOutputKeepsDp5() =>
        Assert.Equal("dp5", Parse("""{ "kind": "mlp", "widths": [3, 4, 3] }""", "{}").Heat!.Integrator);
}
