#!/usr/bin/env bash
# Generates the default prompts (English and Mandarin, espeak-ng) and hold music (sox synth) under sounds/.
# Output: 8 kHz, 16-bit, mono PCM WAV — the engine's only format (src/Cti/Media/IAudioSource.cs).
#   tools/prompts/generate.sh            regenerate everything (needs espeak-ng and sox)
#   tools/prompts/generate.sh survey     only the post-call survey prompts (survey, survey-thanks)
#   tools/prompts/generate.sh greetings  only the greeting variants (greeting-holiday, greeting-trainee[-end])
# The generated files are committed, so running the hotline does not need espeak-ng.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/sounds"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
command -v espeak-ng >/dev/null || { echo "espeak-ng is missing: tools/install-peers.sh test" >&2; exit 1; }
command -v sox >/dev/null || { echo "sox is missing: tools/install-peers.sh" >&2; exit 1; }
mkdir -p "$out/en" "$out/zh" "$out/moh"

# speak LANG VOICE NAME TEXT [trim]: synthesise, resample to 8 kHz mono 16-bit, normalise to -3 dBFS.
speak() {
  local lang="$1" voice="$2" name="$3" text="$4" trim="${5:-}"
  espeak-ng -v "$voice" -s 150 -w "$tmp/raw.wav" "$text"
  local effects=(norm -3)
  # Digits are joined into numbers: cut their leading and trailing silence so "1" "2" sounds like "one two".
  if [[ -n "$trim" ]]; then effects=(silence 1 0.01 1% reverse silence 1 0.01 1% reverse pad 0 0.08 norm -3); fi
  sox "$tmp/raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$out/$lang/$name.wav" "${effects[@]}"
}

# Post-call survey (issue 10; Survey:Prompt / Survey:ThanksPrompt; keys from Survey:Digits).
survey_prompts() {
  speak en en-us survey "Please rate our service. If you are satisfied, press 1. If you are basically satisfied, press 2. If you are not satisfied, press 3."
  speak en en-us survey-thanks "Thank you for your rating. Goodbye."
  speak zh cmn survey "请对我们的服务进行评价：满意请按一，基本满意请按二，不满意请按三。"
  speak zh cmn survey-thanks "感谢您的评价，再见。"
}
# What the ACD says besides the greeting and the queue (src/AcdEngine/Prompts/IPromptLibrary.cs, PromptNames).
acd_prompts() {
  # Acd:Greeting, played on answer before the IVR and the queue (DOMAIN.md "The call"); the real-peer tests that
  # time the queue set Acd:Greeting empty, one test proves a caller hears this before hold music.
  speak en en-us greeting "Thank you for calling the twelve three four five citizen hotline. Your call may be recorded. Please hold for the next available agent."
  speak en en-us still-holding "Thank you for holding. Your agent will be with you shortly."
  speak en en-us callback-enter-number "To be called back, enter your phone number followed by the hash key, or press hash to use the number you are calling from."
  speak en en-us callback-thanks "Thank you. We will call you back as soon as possible. Goodbye."
  speak en en-us closed "The hotline is closed now. Please leave your number and we will call you back."
  speak en en-us all-busy "Sorry, all our agents are busy. Please call again later. Goodbye."
  speak en en-us feature-ok "Done."
  speak en en-us feature-failed "Sorry, that did not work."
  speak en en-us silent-caller "Sorry, I cannot hear you. Please call again. Thank you for calling, goodbye."
  # Expected wait, after the position (Acd:AnnounceEverySeconds): "expected-wait" + digits + "minutes"/"minute".
  speak en en-us expected-wait "The expected waiting time is about"
  speak en en-us minutes "minutes."
  speak en en-us minute "minute."
  speak en en-us expected-wait-short "The expected waiting time is less than one minute."
  # Voicemail overflow (Acd:Queues:<name>:Overflow = Voicemail): prompt, beep, record, thanks.
  speak en en-us voicemail "Please leave a message after the tone, with your name, your phone number and your matter. Press the hash key when you have finished."
  speak en en-us voicemail-thanks "Thank you. Your message has been recorded and will be handled as a work order. Goodbye."
  speak zh cmn expected-wait "预计等待时间约为"
  speak zh cmn minutes "分钟。"
  speak zh cmn minute "分钟。"
  speak zh cmn expected-wait-short "预计等待时间不到一分钟。"
  speak zh cmn voicemail "请在提示音后留言，说明您的姓名、电话和反映的事项，结束请按井号键。"
  speak zh cmn voicemail-thanks "谢谢，您的留言已录音，我们将作为工单办理，再见。"
  for lang in en zh; do
    sox -n -r 8000 -c 1 -b 16 -e signed-integer "$out/$lang/beep.wav" synth 0.4 sine 1000 fade t 0.01 0.4 0.01 gain -3
  done
  speak zh cmn greeting "感谢您致电一二三四五市民服务热线，您的通话可能会被录音，请稍候，我们将为您转接坐席。"
  speak zh cmn still-holding "感谢您的耐心等待，坐席马上为您服务。"
  speak zh cmn callback-enter-number "如需回电，请输入您的电话号码并以井号键结束；使用本机号码请直接按井号键。"
  speak zh cmn callback-thanks "谢谢，我们将尽快给您回电，再见。"
  speak zh cmn closed "现在是非工作时间，请留下您的号码，我们将给您回电。"
  speak zh cmn all-busy "对不起，坐席全忙，请稍后再拨，再见。"
  speak zh cmn feature-ok "操作成功。"
  speak zh cmn feature-failed "对不起，操作失败。"
  speak zh cmn silent-caller "对不起，我听不到您的声音，请您重新拨打。感谢您的来电，再见。"
}
# Greeting variant (DOMAIN.md "The call"; issue 23): on a holiday of the calendar (Acd:Greetings:Holiday).
greeting_prompts() {
  speak en en-us greeting-holiday "Happy holidays, and thank you for calling the twelve three four five citizen hotline. Your call may be recorded. Please hold for the next available agent."
  speak zh cmn greeting-holiday "节日快乐，感谢您致电一二三四五市民服务热线，您的通话可能会被录音，请稍候，我们将为您转接坐席。"
  # Trainee variant (Agents:N:Trainee): greeting-trainee, the agent number as digit-N prompts, greeting-trainee-end.
  speak en en-us greeting-trainee "Hello, citizen hotline, trainee agent number"
  speak en en-us greeting-trainee-end "at your service."
  speak zh cmn greeting-trainee "您好，市民热线，实习坐席"
  speak zh cmn greeting-trainee-end "号为您服务。"
}
if [[ "${1:-}" == "greetings" ]]; then greeting_prompts; exit 0; fi
if [[ "${1:-}" == "survey" ]]; then survey_prompts; exit 0; fi
if [[ "${1:-}" == "acd" ]]; then acd_prompts; exit 0; fi

# English (en-us)
speak en en-us welcome "Welcome to the twelve three four five citizen service hotline."
speak en en-us recording-notice "This call may be recorded to improve our service."
speak en en-us menu "For a complaint, press 1. For an enquiry, press 2. For a suggestion, press 3. To hear this again, press star."
speak en en-us please-hold "All our agents are busy. Please hold, and you will be answered in turn."
speak en en-us you-are-number "You are number"
speak en en-us in-queue "in the queue."
speak en en-us invalid "Sorry, that is not a valid choice."
speak en en-us goodbye "Thank you for calling. Goodbye."
for d in 0 1 2 3 4 5 6 7 8 9; do
  words=(zero one two three four five six seven eight nine)
  speak en en-us "digit-$d" "${words[$d]}" trim
done

# Mandarin (espeak-ng "cmn")
speak zh cmn welcome "欢迎致电一二三四五市民服务热线。"
speak zh cmn recording-notice "为了提高服务质量，您的通话可能会被录音。"
speak zh cmn menu "投诉请按一，咨询请按二，建议请按三，重听请按星号键。"
speak zh cmn please-hold "坐席正忙，请您稍候，我们将按顺序为您服务。"
speak zh cmn you-are-number "您现在排在第"
speak zh cmn in-queue "位。"
speak zh cmn invalid "对不起，您的输入有误。"
speak zh cmn goodbye "感谢您的来电，再见。"
zh_digits=(零 一 二 三 四 五 六 七 八 九)
for d in 0 1 2 3 4 5 6 7 8 9; do
  speak zh cmn "digit-$d" "${zh_digits[$d]}" trim
done

survey_prompts
acd_prompts
greeting_prompts

# Hold music: two short, gentle chord progressions of plucked strings (sox synth), 8 kHz mono.
# chord NAME SECONDS NOTE... → one chord
chord() {
  local file="$1" secs="$2"; shift 2
  local tones=()
  for n in "$@"; do tones+=(pluck "$n"); done
  sox -n -r 8000 -b 16 "$file" synth "$secs" "${tones[@]}" remix - fade t 0.02 "$secs" 0.3
}
progression() {
  local name="$1"; shift
  local parts=() i=0
  for c in "$@"; do
    # shellcheck disable=SC2086
    chord "$tmp/$name-$i.wav" 2 $c
    parts+=("$tmp/$name-$i.wav")
    i=$((i + 1))
  done
  sox "${parts[@]}" "$tmp/$name.wav"
  # Repeat the progression to ~32 s, soften, normalise to -6 dBFS (music under speech level).
  sox "$tmp/$name.wav" -r 8000 -c 1 -b 16 -e signed-integer "$out/moh/$name.wav" repeat 1 reverb 30 lowpass 3000 norm -6
}
progression 01-morning "C3 E4 G4 C5" "A2 C4 E4 A4" "F2 A3 C4 F4" "G2 B3 D4 G4" "C3 E4 G4 C5" "A2 C4 E4 A4" "D3 F4 A4 D5" "G2 B3 D4 G4"
progression 02-evening "D3 F#4 A4 D5" "B2 D4 F#4 B4" "G2 B3 D4 G4" "A2 C#4 E4 A4" "D3 F#4 A4 D5" "E3 G4 B4 E5" "G2 B3 D4 G4" "A2 C#4 E4 A4"
du -sh "$out"
