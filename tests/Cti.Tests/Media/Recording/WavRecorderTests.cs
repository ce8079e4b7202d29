using System.Buffers.Binary;
using Hotline.Cti.Media.Recording;
using Hotline.Cti.Media.Sources;

namespace Hotline.Cti.Tests.Media.Recording;

public class WavRecorderTests
{
    [Test]
    public void A_closed_recording_has_a_correct_header_and_the_samples()
    {
        var path = Path.Combine(Path.GetTempPath(), $"hotline-rec-{Guid.NewGuid():N}", "call.wav");
        try
        {
            var frame = Enumerable.Range(0, 160).Select(i => (short)(i * 100 - 8000)).ToArray();
            using (var recorder = new WavRecorder(path))
            {
                for (var i = 0; i < 500; i++) recorder.Write(frame); // 10 s
                Assert.That(new FileInfo(path).Length, Is.GreaterThan(100_000), "streamed to disk while recording");
                Assert.That(recorder.Duration, Is.EqualTo(TimeSpan.FromSeconds(10)));
            }
            var bytes = File.ReadAllBytes(path);
            Assert.Multiple(() =>
            {
                Assert.That(bytes, Has.Length.EqualTo(44 + (500 * 320)));
                Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)), Is.EqualTo((uint)(bytes.Length - 8)));
                Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(40)), Is.EqualTo(500u * 320));
                Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(24)), Is.EqualTo(8000u));
            });
            var clip = WavClip.Load(path);
            Assert.That(clip.Samples.Span[..160].ToArray(), Is.EqualTo(frame));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}
