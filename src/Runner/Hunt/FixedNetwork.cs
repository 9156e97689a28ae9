using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Weights;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Jobs;

namespace ResidualSheaf.Runner.Hunt;

/// <summary>
/// The one network of a hunt whose <c>network</c> section is <c>{ "config": PATH }</c>: the <c>network</c> and <c>weights</c>
/// sections of the job config at PATH (trained weights, say: <c>"weights": { "source": "json", "path": ".../trained.json" }</c>).
/// Every case then samples only its construction, input, initial cochain and α.
/// </summary>
/// <param name="ConfigPath">Absolute path of the job config.</param>
/// <param name="Network">The network with its weights.</param>
/// <param name="Architecture">Its architecture (a residual stack).</param>
/// <param name="WeightsSha256">SHA-256 of every parameter's name, shape and float64 values, in order: part of the hunt's
/// fingerprint, so that a hunt is never resumed or merged with other weights.</param>
public sealed record FixedNetwork(string ConfigPath, INetwork Network, ArchitectureSpec Architecture, string WeightsSha256)
{
    /// <summary>Reads <c>network.config</c> (and the optional check <c>network.weights_sha256</c>) from the hunt's network section.</summary>
    /// <exception cref="ConfigException">Missing or invalid job config, an ONNX or MLP network, or weights whose hash differs.</exception>
    public static FixedNetwork Parse(JsonFields n, string baseDirectory)
    {
        n.ExpectOnly("config", "weights_sha256");
        string path = System.IO.Path.GetFullPath(n.String("config"), baseDirectory);
        if (!File.Exists(path)) throw new ConfigException("network.config", $"file '{path}' does not exist");
        INetwork net;
        RunConfig rc;
        try
        {
            rc = RunConfig.Load(path);
            net = NetworkFactory.Create(rc);
        }
        catch (ConfigException e)
        {
            throw new ConfigException("network.config", $"'{path}': {e.Message}");
        }
        if (rc.Onnx is not null || rc.Architecture is null)
            throw new ConfigException("network.config", $"'{path}' declares an ONNX graph; hunts take declared residual networks (network.kind resnet)");
        if (rc.Architecture.Blocks is null)
            throw new ConfigException("network.config", $"'{path}' declares an MLP; hunts take residual networks (network.kind resnet)");
        string hash = Hash(net);
        if (n.Has("weights_sha256") && n.String("weights_sha256") != hash)
            throw new ConfigException("network.weights_sha256", $"the weights of '{path}' now hash to {hash}, not {n.String("weights_sha256")}: they changed since this hunt was configured");
        return new FixedNetwork(path, net, rc.Architecture, hash);
    }

    /// <summary>As the resolved hunt config writes it (absolute path and the weights' hash).</summary>
    public JsonObject ToJson() => new() { ["config"] = ConfigPath, ["weights_sha256"] = WeightsSha256 };

    private static string Hash(INetwork net)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, array) in WeightSet.ToArrays(net))
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{name}[{string.Join(",", array.Shape)}]"));
            foreach (double v in array.Values) sha.AppendData(BitConverter.GetBytes(v));
        }
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }
}
