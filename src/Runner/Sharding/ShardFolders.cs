using System.Text.Json.Nodes;

namespace ResidualSheaf.Runner.Sharding;

/// <summary>
/// The shard folders given to a merge (hunt-merge, batch-merge), checked before anything is written: each holds a manifest and a
/// rows file, all come from one config (fingerprint) split the same way, and no shard is given twice.
/// </summary>
/// <param name="First">The first folder's manifest (it carries the config).</param>
/// <param name="ByShard">Each shard's folder, by k.</param>
/// <param name="Count">N, the number of shards the run was split into.</param>
public sealed record ShardFolders(JsonNode First, SortedDictionary<int, string> ByShard, int Count)
{
    /// <summary>Shards of 0 … N − 1 that were not given.</summary>
    public List<int> Missing => [.. Enumerable.Range(0, Count).Where(k => !ByShard.ContainsKey(k))];

    /// <summary>
    /// Reads the manifests (<paramref name="manifestFile"/>) of <paramref name="folders"/>; null with <paramref name="error"/> set
    /// when one is not a <paramref name="kind"/> folder or they do not belong together.
    /// </summary>
    public static ShardFolders? Read(IReadOnlyList<string> folders, string manifestFile, string rowsFile, string kind, out string error)
    {
        error = "";
        JsonNode? first = null;
        var seen = new SortedDictionary<int, string>();
        foreach (string s in folders)
        {
            string manifest = Path.Combine(s, manifestFile);
            if (!File.Exists(manifest) || !File.Exists(Path.Combine(s, rowsFile)))
            {
                error = $"'{s}' is not a {kind} folder (no {manifestFile} / {rowsFile})";
                return null;
            }
            var m = JsonNode.Parse(File.ReadAllText(manifest))!;
            first ??= m;
            if (m["fingerprint"]?.GetValue<string>() != first["fingerprint"]?.GetValue<string>())
            {
                error = $"'{s}' comes from a different {kind} config (fingerprint {m["fingerprint"]}) than '{folders[0]}' ({first["fingerprint"]}); refusing to merge";
                return null;
            }
            var shard = Shard.FromJson(m["shard"]);
            var firstShard = Shard.FromJson(first["shard"]);
            if (shard.N != firstShard.N)
            {
                error = $"'{s}' is shard {shard}, but '{folders[0]}' splits the {kind} into {firstShard.N}";
                return null;
            }
            if (!seen.TryAdd(shard.K, s))
            {
                error = $"shard {shard} is given twice ('{seen[shard.K]}' and '{s}')";
                return null;
            }
        }
        return new ShardFolders(first!, seen, Shard.FromJson(first!["shard"]).N);
    }

    /// <summary>Copies a folder tree (a shard's counterexamples or traces) into <paramref name="to"/>, replacing files of the same name.</summary>
    public static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)), overwrite: true);
        foreach (string d in Directory.GetDirectories(from)) CopyDirectory(d, Path.Combine(to, Path.GetFileName(d)));
    }
}
