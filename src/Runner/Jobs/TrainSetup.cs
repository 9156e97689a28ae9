using ResidualSheaf.Models.Graph;
using ResidualSheaf.Models.Networks;
using ResidualSheaf.Models.Training;
using ResidualSheaf.Runner.Config;

namespace ResidualSheaf.Runner.Jobs;

/// <summary>Job train's data, read and checked against the network before any output exists (bad data is exit 2 naming the field).</summary>
public static class TrainSetup
{
    /// <summary>The data of <paramref name="cfg"/>'s train section for <paramref name="network"/>.</summary>
    public static TrainingData Load(RunConfig cfg, INetwork network)
    {
        var d = cfg.Train!.Data;
        int n0 = network.InputDimension, nOut = network.OutputDimension;
        TrainingData data;
        if (d.Kind == "files")
        {
            var x = Data.DataMatrix.Read(d.Path!, "train.data.path", n0);
            var y = Data.DataMatrix.Read(d.TargetsPath!, "train.data.targets_path", nOut);
            if (x.Length != y.Length)
                throw new ConfigException("train.data.targets_path", $"'{d.TargetsPath}' has {y.Length} rows; the inputs file has {x.Length}");
            int nTrain = d.TrainCount ?? x.Length;
            if (nTrain > x.Length) throw new ConfigException("train.data.n_train", $"{nTrain} exceeds the {x.Length} rows of '{d.Path}'");
            data = TrainingData.Split(n0, nOut, [.. x.SelectMany(r => r)], [.. y.SelectMany(r => r)], nTrain);
        }
        else
        {
            data = ReferenceDatasets.Generate(d.Kind, d.TrainCount!.Value, d.TestCount, d.Seed, d.Noise);
            if (data.InputWidth != n0)
                throw new ConfigException("network", $"data set '{d.Kind}' has {data.InputWidth} inputs; the network takes {n0}");
            if (data.OutputWidth != nOut)
                throw new ConfigException("network", $"data set '{d.Kind}' has {data.OutputWidth} target value(s) per sample; the network outputs {nOut}");
        }
        if (cfg.Train.Method == "rodas4") CheckDenseJacobian(cfg, network, data);
        var head = ArchitectureSpec.Of(network).Head;
        bool classes = d.Kind is "circular" or "blobs";
        if (classes && head == OutputHead.Identity)
            throw new ConfigException("network.head", $"data set '{d.Kind}' is a classification task: use a sigmoid (circular) or softmax (blobs) head");
        return data;
    }

    // rodas4 factorises the dense joint Jacobian (samples × stalk dimension + parameters, squared): refuse what does not fit.
    private static void CheckDenseJacobian(RunConfig cfg, INetwork network, TrainingData data)
    {
        using var flow = TrainingSheaf.Create(network, cfg.Constructions[0], data.TrainInputs, data.TrainTargets, cfg.Train!.Alpha, 1.0);
        if (flow.StateLength > Engine.Training.JointFlow.MaxDenseJacobianDimension)
            throw new ConfigException("train.method", $"rodas4 factorises the dense joint Jacobian, and this joint state has {flow.StateLength} coordinates " +
                $"({data.TrainCount} samples × {flow.StalkDimension} stalk coordinates + {flow.ParameterLength} parameters; at most " +
                $"{Engine.Training.JointFlow.MaxDenseJacobianDimension}): use fewer samples, a smaller network, rkc or an explicit method");
    }
}
