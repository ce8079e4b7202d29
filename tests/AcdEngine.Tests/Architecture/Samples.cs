// Two namespaces that use each other, for CycleFinderTests: the reader must see the use in a body and in a lambda.
namespace Hotline.AcdEngine.Tests.Architecture.Samples.Left
{
    internal static class Caller
    {
        public static int Call() => new Func<int>(() => Right.Callee.Value())();
    }
}

namespace Hotline.AcdEngine.Tests.Architecture.Samples.Right
{
    internal static class Callee
    {
        public static int Value() => 1;
    }

    internal sealed class Holder
    {
#pragma warning disable CS0649, CA2211 // the sample is the point: a static field that can be written
        public static int Counter;
#pragma warning restore CS0649, CA2211
        public static readonly int Fixed = 1;
        public Func<int>? Hook;
        public Holder() => Hook = Left.Caller.Call;
    }
}
