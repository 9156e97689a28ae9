using System.Globalization;
using System.Text.Json.Nodes;
using ResidualSheaf.Engine.Sheaves;
using ResidualSheaf.Models.Construction;
using ResidualSheaf.Runner.Config;
using ResidualSheaf.Runner.Jobs;
using ResidualSheaf.Runner.Output;
using ResidualSheaf.Runner.Plotting;

namespace ResidualSheaf.Runner.Inspect;

/// <summary>
/// <c>runner inspect --config F [--out folder]</c>: the sheaf a config's network becomes, per construction: vertices with their
/// stalk dimensions, edges with their restriction maps, the junctions, free and edge dimensions and the shape of δ_Ω (input
/// pinned). Printed; with --out also written as inspect.json and drawn as graph-&lt;construction&gt;.png.
/// </summary>
public static class InspectCommand
{
    private const string Usage = """
        runner inspect --config <file.json> [--out <folder>]
          prints the sheaf built from the config's network (declared, or read from network.onnx) for each of its constructions;
          --out also writes inspect.json and the graph plot graph-<construction>.png there (the folder must be new or empty)
        """;

    /// <summary>Runs the command; exit 0, or 2 for bad input.</summary>
    public static int Run(string[] args)
    {
        string? configPath = null, outFolder = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h":
                    Console.WriteLine(Usage);
                    return 0;
                case "--config" when i + 1 < args.Length:
                    configPath = args[++i];
                    break;
                case "--out" when i + 1 < args.Length:
                    outFolder = args[++i];
                    break;
                default:
                    Console.Error.WriteLine($"runner inspect: unknown or incomplete argument '{args[i]}'.\n{Usage}");
                    return Program.BadInput;
            }
        }
        if (configPath is null)
        {
            Console.Error.WriteLine($"runner inspect: --config <file.json> is required.\n{Usage}");
            return Program.BadInput;
        }
        RunConfig config;
        Models.Networks.INetwork network;
        try
        {
            config = RunConfig.Load(configPath);
            if (outFolder is not null)
            {
                OutputPaths.CheckFolder(outFolder, "--out");
                if (Directory.Exists(outFolder) && Directory.EnumerateFileSystemEntries(outFolder).Any())
                    throw new IOException($"--out: '{Path.GetFullPath(outFolder)}' is not empty");
            }
            network = NetworkFactory.Create(config);
        }
        catch (Exception e) when (e is ConfigException or IOException)
        {
            Console.Error.WriteLine($"runner inspect: {e.Message}");
            return Program.BadInput;
        }
        var report = new JsonObject { ["name"] = config.Name, ["network"] = network.Describe() };
        var constructions = new JsonObject();
        report["constructions"] = constructions;
        Console.WriteLine(network.Describe());
        foreach (var construction in config.Constructions)
        {
            var ns = SheafConstructor.Build(network, construction);
            var o = Describe(ns);
            string name = StaticLabJob.Name(construction);
            constructions[name] = o;
            Print(name, ns, o);
            if (outFolder is not null)
            {
                Directory.CreateDirectory(outFolder);
                SheafGraphPlot.Save(Path.Combine(outFolder, $"graph-{name}.png"), ns.Sheaf, $"sheaf graph ({name} construction)");
            }
        }
        if (outFolder is not null) JsonFile.Write(Path.Combine(outFolder, "inspect.json"), report);
        return 0;
    }

    /// <summary>The sheaf's cells and dimensions as JSON (the fields of inspect.json, docs/outputs.md).</summary>
    public static JsonObject Describe(NetworkSheaf ns)
    {
        var sheaf = ns.Sheaf;
        var problem = ns.Problem(new double[ns.Input.Dimension]);
        var junctions = sheaf.Edges.Where(e => e.Kind == EdgeKind.Sum).Select(e => sheaf.Vertices[e.Tail]).ToArray();
        return new JsonObject
        {
            ["vertices"] = new JsonArray(sheaf.Vertices.Select(v => (JsonNode?)new JsonObject
            {
                ["name"] = v.Name,
                ["dimension"] = v.Dimension,
                ["layer"] = v.Layer,
                ["role"] = v.Id == ns.Input.Id ? "input (pinned)" : v.Id == ns.Output.Id ? "output" : junctions.Contains(v) ? "junction" : "hidden",
            }).ToArray()),
            ["edges"] = new JsonArray(sheaf.Edges.Select(e => (JsonNode?)new JsonObject
            {
                ["name"] = e.Name,
                ["kind"] = e.Kind.ToString().ToLowerInvariant(),
                ["tail"] = sheaf.Vertices[e.Tail].Name,
                ["head"] = sheaf.Vertices[e.Head].Name,
                ["dimension"] = e.Dimension,
                ["tail_map"] = MapText(e.TailMap),
                ["head_map"] = MapText(e.HeadMap),
                ["affine"] = e.Affine is not null,
            }).ToArray()),
            ["junctions"] = new JsonArray(junctions.Select(v => (JsonNode?)v.Name).ToArray()),
            ["total_vertex_dimension"] = sheaf.TotalDimension,
            ["free_dimension"] = problem.FreeCoordinates.Count,
            ["edge_dimension"] = sheaf.EdgeDimension,
            ["delta_omega_shape"] = new JsonArray(sheaf.EdgeDimension, problem.FreeCoordinates.Count),
            ["switching_coordinates"] = sheaf.MaskCoordinates.Count,
        };
    }

    private static string MapText(RestrictionMap m) => $"{m.GetType().Name} {m.Rows}×{m.Columns}";

    private static void Print(string construction, NetworkSheaf ns, JsonObject o)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine($"{construction} construction: {ns.Sheaf.Vertices.Count} vertices, {ns.Sheaf.Edges.Count} edges, " +
            $"free dimension {o["free_dimension"]}, edge dimension {o["edge_dimension"]}, δ_Ω {o["edge_dimension"]}×{o["free_dimension"]}, " +
            $"junctions: {(ns.Sheaf.Edges.Any(e => e.Kind == EdgeKind.Sum) ? string.Join(", ", o["junctions"]!.AsArray().Select(j => j!.ToString())) : "none")}");
        Console.WriteLine("  vertices:");
        foreach (var v in o["vertices"]!.AsArray())
            Console.WriteLine(string.Format(inv, "    {0,-28} R^{1,-4} layer {2,-3} {3}", v!["name"], v["dimension"], v["layer"], v["role"]));
        Console.WriteLine("  edges (tail → head: F_tail, F_head):");
        foreach (var e in o["edges"]!.AsArray())
            Console.WriteLine(string.Format(inv, "    {0,-28} {1,-7} {2} → {3}: {4}, {5}{6}", e!["name"], e["kind"], e["tail"], e["head"],
                e["tail_map"], e["head_map"], e["affine"]!.GetValue<bool>() ? ", bias" : ""));
    }
}
