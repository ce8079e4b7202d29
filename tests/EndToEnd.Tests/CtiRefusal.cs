using Grpc.Core;

namespace Hotline.EndToEnd.Tests;

/// <summary>How the engine's CTI answered a command: OK, or the status and its detail of a refusal (cti.proto).</summary>
internal static class CtiRefusal
{
    public static async Task<(StatusCode Code, string Detail)> Of<T>(AsyncUnaryCall<T> call)
    {
        try
        {
            await call.ResponseAsync;
            return (StatusCode.OK, "");
        }
        catch (RpcException ex)
        {
            return (ex.StatusCode, ex.Status.Detail);
        }
    }
}
