using System.Globalization;
using System.Text.Json.Nodes;

namespace ResidualSheaf.Runner.Sharding;

/// <summary>
/// Shard k of N of a run over numbered items (hunt cases, batch inputs): the items i with i mod N = k. Hunts and batches share
/// the option syntax (<c>--shard k/N</c>), the folder suffix, the manifest entry and the item counts.
/// </summary>
/// <param name="K">This shard, 0 ≤ K &lt; N.</param>
/// <param name="N">Number of shards.</param>
public readonly record struct Shard(int K, int N)
{
    /// <summary>The whole run (shard 0 of 1).</summary>
    public static Shard Whole => new(0, 1);

    /// <summary>Parses <c>k/N</c> (0 ≤ k &lt; N); false for anything else.</summary>
    public static bool TryParse(string text, out Shard shard)
    {
        shard = Whole;
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int k)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1 || k >= n)
            return false;
        shard = new Shard(k, n);
        return true;
    }

    /// <summary>The error of a bad <c>--shard</c> value.</summary>
    public static string ParseError(string text) => $"--shard: '{text}' is not k/N with 0 ≤ k < N";

    /// <summary>Whether item <paramref name="item"/> belongs to this shard.</summary>
    public bool Owns(long item) => item % N == K;

    /// <summary>The default folder name of this shard of a run called <paramref name="name"/>: the name, with -shard-k-of-N when split.</summary>
    public string FolderName(string name) => N == 1 ? name : $"{name}-shard-{K}-of-{N}";

    /// <summary>Items of this shard among <paramref name="items"/> (ids 0 … items − 1).</summary>
    public int Expected(int items) => K >= items ? 0 : (items - 1 - K) / N + 1;

    /// <summary>The manifest entry <c>{ "k": K, "n": N }</c>.</summary>
    public JsonObject ToJson() => new() { ["k"] = K, ["n"] = N };

    /// <summary>The shard of a manifest's <c>shard</c> entry; a manifest without one is the whole run.</summary>
    public static Shard FromJson(JsonNode? node) =>
        node is null ? Whole : new Shard(node["k"]?.GetValue<int>() ?? 0, node["n"]?.GetValue<int>() ?? 1);

    /// <inheritdoc/>
    public override string ToString() => $"{K}/{N}";
}
