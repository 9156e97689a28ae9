using ResidualSheaf.Engine.LinearAlgebra;

namespace ResidualSheaf.Engine.Heat;

public sealed partial class HeatEquation
{
    private EdgeGradientTeam? _edgeTeam;

    /// <summary>
    /// Runs the edge part of the gradient (the restriction maps of non-sparse sheaves, e.g. convolutions) on
    /// <paramref name="team"/>, with the same bits as one thread; null or a one-thread team: serially. Applies to this equation
    /// only (clones start serial).
    /// </summary>
    internal void UseTeam(KernelTeam? team) => _edgeTeam =
        team is null || team.Threads == 1 || _sparse is not null ? null : new EdgeGradientTeam(this, team);

    /// <summary>Whether the edge loop runs on a team (<see cref="UseTeam"/>; sparse sheaves keep their flat serial loops).</summary>
    internal bool UsesEdgeTeam => _edgeTeam is not null;

    /// <summary>
    /// The edge loop of <see cref="EdgeGradient"/> in two phases on a team. Residuals: each edge's r_e needs only c, so the edges are
    /// shared out whole. Transposes: an entry of g receives, in the serial loop, the contributions of the edges at its vertex in edge
    /// order (head before tail); so the vertices are shared out whole and each part replays its vertices' contributions in that
    /// order, which gives every entry the same sums in the same order. Shares are balanced by stalk sizes (longest first onto the
    /// lightest part) and fixed at construction.
    /// </summary>
    private sealed class EdgeGradientTeam : ITeamJob
    {
        private readonly HeatEquation _eq;
        private readonly KernelTeam _team;
        private readonly int[][] _edges;
        private readonly int[][] _sides;
        private bool _transposes;

        public EdgeGradientTeam(HeatEquation eq, KernelTeam team)
        {
            _eq = eq;
            _team = team;
            int parts = team.Threads, edges = eq._edgeOffset.Length;
            _edges = Share(Enumerable.Range(0, edges).Select(k => (Item: k, Cost: (long)eq._edgeDim[k] + eq._headDim[k] + eq._tailDim[k])), parts)
                .Select(p => p.Order().ToArray()).ToArray();
            // Each vertex's contributions in serial order: side 2k is edge k's head, 2k + 1 its tail.
            var byVertex = new SortedDictionary<int, List<int>>();
            for (int k = 0; k < edges; k++)
            {
                Add(byVertex, eq._headOffset[k], 2 * k);
                Add(byVertex, eq._tailOffset[k], 2 * k + 1);
            }
            var vertices = byVertex.Values.ToArray();
            _sides = Share(vertices.Select((list, i) => (Item: i, Cost: list.Sum(s => (long)eq._edgeDim[s / 2]))), parts)
                .Select(p => p.Order().SelectMany(i => vertices[i]).ToArray()).ToArray();
        }

        private static void Add(SortedDictionary<int, List<int>> byVertex, int offset, int side)
        {
            if (!byVertex.TryGetValue(offset, out var list)) byVertex[offset] = list = [];
            list.Add(side);
        }

        /// <summary>Items onto parts, longest first onto the lightest part (ties: lowest index), deterministic.</summary>
        private static List<int>[] Share(IEnumerable<(int Item, long Cost)> items, int parts)
        {
            var shares = Enumerable.Range(0, parts).Select(_ => new List<int>()).ToArray();
            var load = new long[parts];
            foreach (var (item, cost) in items.OrderByDescending(x => x.Cost).ThenBy(x => x.Item))
            {
                int p = Array.IndexOf(load, load.Min());
                shares[p].Add(item);
                load[p] += cost;
            }
            return shares;
        }

        /// <summary>r = δc into the equation's residuals and, unless <paramref name="residualOnly"/>, g = δᵀr (g cleared first).</summary>
        public void Run(bool residualOnly)
        {
            _transposes = false;
            _team.Run(this);
            if (residualOnly) return;
            _eq._g.AsSpan().Clear();
            _transposes = true;
            _team.Run(this);
        }

        public void RunPart(int part, int parts)
        {
            var eq = _eq;
            var c = eq._c.AsSpan();
            var rAll = eq._r.AsSpan();
            var masks = eq._masks;
            if (!_transposes)
            {
                foreach (int k in _edges[part])
                {
                    var r = rAll.Slice(eq._edgeOffset[k], eq._edgeDim[k]);
                    var beta = eq._affine[k];
                    if (beta is not null)
                        for (int i = 0; i < r.Length; i++) r[i] = -beta[i];
                    else
                        r.Clear();
                    eq._headMap[k].MultiplyAdd(c.Slice(eq._headOffset[k], eq._headDim[k]), r, 1.0, masks);
                    eq._tailMap[k].MultiplyAdd(c.Slice(eq._tailOffset[k], eq._tailDim[k]), r, -1.0, masks);
                }
                return;
            }
            var g = eq._g.AsSpan();
            foreach (int side in _sides[part])
            {
                int k = side >> 1;
                var r = rAll.Slice(eq._edgeOffset[k], eq._edgeDim[k]);
                if ((side & 1) == 0) eq._headMap[k].TransposeMultiplyAdd(r, g.Slice(eq._headOffset[k], eq._headDim[k]), 1.0, masks);
                else eq._tailMap[k].TransposeMultiplyAdd(r, g.Slice(eq._tailOffset[k], eq._tailDim[k]), -1.0, masks);
            }
        }
    }
}
